// Shared pieces of the command line (tools/main.cc and the subcommands in
// tools/*_cli.cc): flag values and scenario paths. Flags are parsed by hand
// rather than with absl::ParseCommandLine, which exits with status 1 on an
// unknown flag where dsifuzz promises 2.
#ifndef DSIFUZZ_TOOLS_CLI_H_
#define DSIFUZZ_TOOLS_CLI_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dsifuzz {

// Prints "dsifuzz: ERROR" and the usage on stderr; returns 2.
int Usage(const std::string& error);

// --name=value or --name value at args[i] (advancing i past the value).
// False when args[i] is not --name, and also, with *error set, when it is
// --name without a value: a caller's last branch reports *error when it is
// set, and an unknown flag otherwise.
bool TakeValue(const std::vector<std::string>& args, size_t& i,
               const std::string& name, std::string* value, std::string* error);

// Parses `value` of `flag` as a number in [lo, hi]; false with *error
// "FLAG=VALUE: expected a number from LO to HI" otherwise.
bool TakeNumber(const std::string& flag, const std::string& value, uint64_t lo,
                uint64_t hi, uint64_t* out, std::string* error);

// Checks the value of --variant (a registered variant or mutant) or of
// --property (a registered property); false with *error "FLAG=VALUE:
// expected one of ..." otherwise.
bool CheckVariant(const std::string& value, std::string* error);
bool CheckProperty(const std::string& value, std::string* error);

// Expands directories into their *.dsi files (sorted); files stay as they
// are. False, after a message on stderr, for a directory without any.
bool ExpandScenarioPaths(const std::vector<std::string>& args,
                         std::vector<std::string>& out);

// `dsifuzz fuzz` (tools/fuzz_cli.cc).
int FuzzCommand(const std::vector<std::string>& args);

// `dsifuzz matrix` (tools/matrix_cli.cc).
int MatrixCommand(const std::vector<std::string>& args);

// `dsifuzz kernel-replay` (tools/kernel_replay_cli.cc).
int KernelReplayCommand(const std::vector<std::string>& args);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_CLI_H_
