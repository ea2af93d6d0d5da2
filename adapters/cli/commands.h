// The commands of the `rogatory` executable (CONTRACT §3). main.cc dispatches to these.
#ifndef ROGATORY_ADAPTERS_CLI_COMMANDS_H_
#define ROGATORY_ADAPTERS_CLI_COMMANDS_H_

namespace rogatory::cli {

// Each command receives its own arguments: argv[0] is the command's name ("validate"),
// argv[1..argc) what follows it. Each returns the process exit code: 0 success, 1 failure
// (the command ran and found a problem), 2 usage error. Output goes to stdout, problems to
// stderr.

// `rogatory validate PATH...`: checks definition files or folders of them.
int RunValidate(int argc, char** argv);

// `rogatory graph WORKFLOW[@VERSION]|FILE [--format mermaid|dot]`: prints a state diagram.
int RunGraph(int argc, char** argv);

// `rogatory serve [--config FILE]`: the REST API with its background services, until SIGTERM.
int RunServe(int argc, char** argv);

// `rogatory audit verify [--config FILE]`: re-checks every request's hash-chained history; 1
// names the first broken link, 3 when the store cannot be read (audit_command.cc).
int RunAudit(int argc, char** argv);

// `rogatory test PATH... [--workflows DIR] [--coverage] [--min-coverage N] [--format text|junit]`:
// runs scenario files on virtual time and reports coverage (test_command.cc).
int RunTest(int argc, char** argv);

// `rogatory stats [--config FILE] [--format table|json|csv] [--workflow W] [--from D] [--to D]`
// and `rogatory stats --rebuild` (CONTRACT §9, stats_command.cc).
int RunStats(int argc, char** argv);

// `rogatory store copy [--from URL | --config FILE] --to URL [--verify-all]`: copies a whole
// store into an empty one of either kind and checks the copy (store_command.cc).
int RunStore(int argc, char** argv);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_COMMANDS_H_
