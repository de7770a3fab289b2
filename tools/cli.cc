#include "tools/cli.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "model/world.h"
#include "properties/property.h"

namespace dsifuzz {

bool TakeValue(const std::vector<std::string>& args, size_t& i,
               const std::string& name, std::string* value,
               std::string* error) {
  const std::string& a = args[i];
  if (a.rfind(name + "=", 0) == 0) {
    *value = a.substr(name.size() + 1);
    return true;
  }
  if (a == name) {
    if (i + 1 >= args.size()) {
      *error = name + " needs a value";
      return false;
    }
    *value = args[++i];
    return true;
  }
  return false;
}

bool TakeNumber(const std::string& flag, const std::string& value, uint64_t lo,
                uint64_t hi, uint64_t* out, std::string* error) {
  if (absl::SimpleAtoi(value, out) && *out >= lo && *out <= hi) return true;
  *error = flag + "=" + value + ": expected a number from " +
           std::to_string(lo) + " to " + std::to_string(hi);
  return false;
}

bool CheckVariant(const std::string& value, std::string* error) {
  if (model::FindVariant(value) != nullptr) return true;
  *error = "--variant=" + value + ": expected one of " +
           absl::StrJoin(model::VariantNames(), ", ");
  return false;
}

bool CheckProperty(const std::string& value, std::string* error) {
  std::vector<std::string> known = PropertyNames();
  if (std::find(known.begin(), known.end(), value) != known.end()) return true;
  *error =
      "--property=" + value + ": expected one of " + absl::StrJoin(known, ", ");
  return false;
}

bool ExpandScenarioPaths(const std::vector<std::string>& args,
                         std::vector<std::string>& out) {
  namespace fs = std::filesystem;
  for (const std::string& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      out.push_back(a);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(a, ec)) {
      if (entry.path().extension() == ".dsi")
        files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      std::cerr << "dsifuzz: " << a << ": no *.dsi files in this directory\n";
      return false;
    }
    out.insert(out.end(), files.begin(), files.end());
  }
  return true;
}

}  // namespace dsifuzz
