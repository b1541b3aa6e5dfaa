#ifndef HOOD_SETID_H
#define HOOD_SETID_H

// The exit status of a hood that refused to run set-user-ID or
// set-group-ID (setid.c; internal/box/setid.go says the same).
#define HOOD_EXIT_SETID 126

void hood_refuse_setid(const char *argv0);

#endif
