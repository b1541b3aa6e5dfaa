package nft

import (
	"strings"
	"testing"

	"hood/explain"
)

// The message names reach call.New through a map, where the source scan
// of commands' TestEveryNarratedSyscallHasAnEntry does not see them: each
// is checked here, with the flag words the messages show.
func TestEveryMessageHasAnEntry(t *testing.T) {
	k, err := explain.Load()
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"NFNL_SUBSYS_NFTABLES", "NF_INET_LOCAL_IN", "NF_ACCEPT", "NLM_F_CREATE", "NLM_F_DUMP"}
	for _, n := range msgNames {
		words = append(words, n)
	}
	for _, n := range familyConst {
		if n == "NFPROTO_INET" || n == "NFPROTO_UNSPEC" { // the families hood sends
			words = append(words, n)
		}
	}
	for _, w := range words {
		if a := k.Find(w); a.Entry == nil || !strings.EqualFold(a.Entry.Name, w) {
			t.Errorf("hood narrates %s but explain has no entry for it", w)
		}
	}
}
