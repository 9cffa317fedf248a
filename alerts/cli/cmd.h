/* cmd.h — the firegrid command table: one entry per verb, help text generated from it. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_CLI_CMD_H
#define FG_CLI_CMD_H

typedef struct fg_cmd {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the verb */
    const char *summary;
    const char *usage;   /* synopsis after "firegrid " */
    const char *details; /* options and exit codes, one per line */
} fg_cmd;

int fg_cmd_detect_cam(int argc, char **argv);
int fg_cmd_detect_sat(int argc, char **argv);
int fg_cmd_feedback(int argc, char **argv);
int fg_cmd_grid(int argc, char **argv);
int fg_cmd_review(int argc, char **argv);
int fg_cmd_run(int argc, char **argv);
int fg_cmd_synth(int argc, char **argv);
int fg_cmd_train_smoke(int argc, char **argv);

/* Writes the sample inputs into dir with the given seed; used by synth and by a bare `run`.
 * Returns 0 or prints the reason to stderr and returns non-zero. */
int fg_synth_sample(const char *dir, unsigned seed, const char *date, int quiet);

#endif
