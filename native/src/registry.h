// Each native module (crypto, tun, gre socket, ...) registers an initialiser here from its own
// file, so adding a module never means editing a shared list: a static ModuleRegistration in
// the module's .cc is enough. addon.cc runs every registered initialiser once at load.
#pragma once
#include <napi.h>

namespace pptp {

using ModuleInit = void (*)(Napi::Env env, Napi::Object exports);

struct ModuleRegistration {
  ModuleRegistration(const char* name, ModuleInit init);
};

void InitAllModules(Napi::Env env, Napi::Object exports);

}  // namespace pptp
