// Mutants: the baseline kernel (upstream-6.11) with one deliberate bug
// each, to prove that the properties catch bugs (tools/mutants_test.cc).
// A mutant is a plain Kernel with Kernel::set_mutant() called; the model
// tests Kernel::Mutated() at each mutation point, marked
// `// mutant-NAME: ...`.
//
//   KernelFactory f = FindMutant("mutant-fifo-devres");
//   World w(topo, f, &sink);
//
// FindVariant() falls back to FindMutant(), so `dsifuzz fuzz --variant
// mutant-fifo-devres` and scenario files name mutants like variants;
// VariantNames() does not list them.
#ifndef DSIFUZZ_MODEL_MUTANTS_MUTANTS_H_
#define DSIFUZZ_MODEL_MUTANTS_MUTANTS_H_

#include <string>
#include <vector>

#include "model/world.h"

namespace dsifuzz::model {

// The factory of mutant `name`, or nullptr.
KernelFactory FindMutant(const std::string& name);
// Every mutant, in a fixed order.
std::vector<std::string> MutantNames();
// The one-line description of mutant `name` ("" when unknown).
std::string MutantDescription(const std::string& name);

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_MUTANTS_MUTANTS_H_
