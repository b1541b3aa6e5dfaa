package box

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpawnFileUnreachable: a box user who cannot search the directory a
// program is in cannot exec it by path (EACCES), but runs it from the
// descriptor hood sends, as execveat(3, "", ..., AT_EMPTY_PATH).
func TestSpawnFileUnreachable(t *testing.T) {
	b := startBox(t, "tspawnfd")
	if _, err := b.SetID(1000, 1000); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "private")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "true")
	in, err := os.Open("/bin/true")
	if err != nil {
		t.Skip(err)
	}
	defer in.Close()
	out, err := os.OpenFile(prog, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
	null, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer null.Close()
	stdio := [3]*os.File{null, null, null}

	sp, err := b.Spawn([]string{prog}, nil, stdio, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Wait(sp); err != nil || !sp.ExecFails || sp.Exec.ErrName() != "EACCES" {
		t.Fatalf("exec by path as uid 1000: %s, %v; want EACCES", sp.Exec, err)
	}

	f, err := os.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sp, err = b.SpawnFile(f, []string{"true"}, nil, stdio, false)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := b.Wait(sp)
	if err != nil || sp.ExecFails || !st.Exited() || st.ExitStatus() != 0 {
		t.Fatalf("exec from the descriptor: %s, %v, %v", sp.Exec, st, err)
	}
	if want := `execveat(3<` + prog + `>, "", ["true"], envp, AT_EMPTY_PATH)`; !strings.HasPrefix(sp.Exec.String(), want) {
		t.Errorf("narrated %s, want %s", sp.Exec, want)
	}
}
