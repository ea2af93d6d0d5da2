// `rogatory test PATH...`: runs scenario files against the workflow definitions on virtual time
// and reports results and coverage (CONTRACT §10).
#ifndef ROGATORY_ADAPTERS_CLI_TEST_COMMAND_H_
#define ROGATORY_ADAPTERS_CLI_TEST_COMMAND_H_

namespace rogatory::cli {

inline constexpr char kTestUsage[] =
    "usage: rogatory test PATH... [--workflows DIR] [--coverage] [--min-coverage N]\n"
    "                             [--format text|junit] [--config FILE]\n"
    "\n"
    "Runs scenario files (each PATH a YAML file or a folder searched recursively) against the\n"
    "workflow definitions in DIR (default: workflows/), each scenario on a fresh in-memory\n"
    "store and a virtual clock. Prints 'ok NAME (file)' or 'FAIL file:line: ...' per scenario\n"
    "and a coverage line per workflow version a scenario ran on.\n"
    "\n"
    "  --workflows DIR    where the definitions are (default: workflows/)\n"
    "  --coverage         also list the transitions never fired, deadlines never lapsed and\n"
    "                     states never entered\n"
    "  --min-coverage N   fail (exit 1) when a share of any workflow version in DIR is below\n"
    "                     N percent; every version is then reported, tested or not\n"
    "  --format junit     write JUnit XML to stdout (coverage goes to stderr)\n"
    "  --config FILE      take the time_zone of whole-day deadlines from FILE (default: as\n"
    "                     `rogatory serve` finds its config); a scenario's own time_zone wins\n"
    "\n"
    "exit status: 0 all passed, 1 a scenario failed, a file is invalid or coverage is below\n"
    "--min-coverage, 2 usage error\n";

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_TEST_COMMAND_H_
