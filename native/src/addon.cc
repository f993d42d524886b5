// The addon's single entry point: it hands the exports object to every module that
// registered itself (see registry.h).
#include "registry.h"

#include <utility>
#include <vector>

namespace pptp {
namespace {
std::vector<std::pair<const char*, ModuleInit>>& Registry() {
  static std::vector<std::pair<const char*, ModuleInit>> modules;
  return modules;
}
}  // namespace

ModuleRegistration::ModuleRegistration(const char* name, ModuleInit init) {
  Registry().emplace_back(name, init);
}

void InitAllModules(Napi::Env env, Napi::Object exports) {
  Napi::Array names = Napi::Array::New(env);
  uint32_t i = 0;
  for (auto& [name, init] : Registry()) {
    init(env, exports);
    names.Set(i++, Napi::String::New(env, name));
  }
  exports.Set("modules", names);
}
}  // namespace pptp

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pptp::InitAllModules(env, exports);
  return exports;
}

NODE_API_MODULE(pptp_native, Init)
