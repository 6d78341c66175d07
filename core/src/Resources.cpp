#include "beamlet/core/Resources.h"

#include "beamlet/core/Error.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace beamlet {

std::string resourceDirectory() {
  if (const char* env = std::getenv("BEAMLET_RESOURCES"); env != nullptr && *env != '\0') {
    if (!fs::is_directory(env)) {
      throw IoError(withContext(env, "BEAMLET_RESOURCES is not a folder"));
    }
    return env;
  }
#ifdef BEAMLET_SOURCE_RESOURCES
  if (fs::is_directory(BEAMLET_SOURCE_RESOURCES)) {
    return BEAMLET_SOURCE_RESOURCES;
  }
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "beamlet" / "resources";
    if (fs::is_directory(installed)) {
      return installed.string();
    }
  }
  throw IoError("Beamlet's resource folder was not found (set BEAMLET_RESOURCES)");
}

std::string resourcePath(const std::string& relative) {
  const fs::path path = fs::path(resourceDirectory()) / relative;
  if (!fs::exists(path)) {
    throw IoError(withContext(path.string(), "resource file not found"));
  }
  return path.string();
}

} // namespace beamlet
