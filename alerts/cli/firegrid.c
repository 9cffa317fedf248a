/* firegrid.c — the firegrid command: dispatch to a verb, help and version. */
/* SPDX-License-Identifier: MIT */
#include "alerts/cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

/* This table MUST stay sorted by name; `firegrid help` lists it in this order. */
static const fg_cmd commands[] = {
    {"help", cmd_help, "show the commands, or the options of one", "help [VERB]", ""},
    {"run", fg_cmd_run, "detect fires and smoke and write the alert lists",
     "run [--config FILE] [-o DIR] [--threads N] [-q]",
     "  --config FILE   a county's run configuration (key = value lines); without it the\n"
     "                  bundled sample county runs on ./firegrid-sample (made by `synth`\n"
     "                  when missing) and writes ./firegrid-out\n"
     "  -o DIR          output folder (overrides the config's 'output')\n"
     "  --threads N     worker threads (default: all cores)\n"
     "  -q, --quiet     no progress on stderr\n"
     "config keys: boundaries, scenes, frames, cameras, static_sources, output, threads,\n"
     "             camera_scale (paths relative to the config file)\n"
     "exit status: 0 all inputs processed; 3 partial: outputs written but some inputs or\n"
     "             config lines were skipped (see run.log); 1 failed: no lists written;\n"
     "             2 bad command line"},
    {"synth", fg_cmd_synth, "write deterministic sample inputs for the sample county",
     "synth [-o DIR] [--seed N] [--date YYYY-MM-DD] [-q]",
     "  -o DIR          folder to write (default ./firegrid-sample): county_cells.geojson,\n"
     "                  static_sources.csv, scenes/*.tif, cameras.csv, frames/<camera>/*.jpg,\n"
     "                  truth.csv\n"
     "  --seed N        random seed (default 1); the same seed gives the same bytes\n"
     "  --date D        the sample day (default 2026-10-15)\n"
     "  -q, --quiet     no progress on stderr\n"
     "exit status: 0 written; 1 failed; 2 bad command line"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const fg_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage_all(FILE *f)
{
    fprintf(f, "firegrid %s — finds crop-straw burning in satellite scenes and camera frames\n"
               "and writes the county → township → village alert lists.\n\n"
               "usage: firegrid <command> [options]\n       firegrid --version\n\ncommands:\n",
            FG_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`firegrid help <command>` shows its options.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stdout);
        return 0;
    }
    const fg_cmd *c = find_cmd(argv[1]);
    if (!c) {
        fprintf(stderr, "firegrid: no command '%s' (see `firegrid help`)\n", argv[1]);
        return 2;
    }
    printf("usage: firegrid %s\n\n%s.\n", c->usage, c->summary);
    if (c->details[0])
        printf("\n%s\n", c->details);
    return 0;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("firegrid %s\n", FG_VERSION);
        rc = 0;
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_all(stdout);
        rc = 0;
    } else {
        const fg_cmd *c = find_cmd(argv[1]);
        if (!c) {
            fprintf(stderr, "firegrid: no command '%s' (see `firegrid help`)\n", argv[1]);
            return 2;
        }
        rc = c->fn(argc - 1, argv + 1);
    }
    /* Errors writing stdout (ENOSPC, EPIPE) show up only when it is closed. */
    if (fclose(stdout) != 0) {
        fprintf(stderr, "firegrid: cannot write standard output: %s\n", strerror(errno));
        return rc ? rc : 1;
    }
    return rc;
}
