#include "beamlet/dose/DoseEngine.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dose/FluenceOptimizer.h"
#include "beamlet/dose/SvdPencilBeam.h"

#include <tbb/global_control.h>

#include <memory>

#ifdef BEAMLET_WITH_CUDA
#include "cuda/CudaPencilBeam.h"
#endif

namespace beamlet::dose {

std::unique_ptr<DoseMultiplier> DoseEngine::multiplierFor(const Dij& dij) const {
  return std::make_unique<DijMultiplier>(dij);
}

Device parseDevice(const std::string& name) {
  if (name == "auto") {
    return Device::Auto;
  }
  if (name == "cpu") {
    return Device::Cpu;
  }
  if (name == "cuda") {
    return Device::Cuda;
  }
  throw InvalidArgumentError("device '" + name + "': expected auto, cpu or cuda");
}

const char* deviceName(Device device) {
  switch (device) {
  case Device::Auto:
    return "auto";
  case Device::Cpu:
    return "cpu";
  case Device::Cuda:
    return "cuda";
  }
  return "auto";
}

void limitThreads(int threads) {
  static std::unique_ptr<tbb::global_control> control;
  control.reset();
  if (threads > 0) {
    control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<std::size_t>(threads));
  }
}

std::vector<std::string> availableEngines() {
  return {"svd-pencil-beam"};
}

bool cudaAvailable(std::string* why) {
#ifdef BEAMLET_WITH_CUDA
  return cuda::deviceAvailable(why);
#else
  if (why != nullptr) {
    *why = "this build has no CUDA support (nvcc was not found when it was configured)";
  }
  return false;
#endif
}

std::unique_ptr<DoseEngine> makeDoseEngine(const std::string& name, Device device,
                                           const std::string& machineJson) {
  if (name != "svd-pencil-beam") {
    throw InvalidArgumentError("unknown dose engine '" + name + "' (available: svd-pencil-beam)");
  }
  PhotonMachine machine =
      machineJson.empty() ? loadShippedMachine() : loadPhotonMachine(machineJson);
  std::string why;
  const bool cuda = device != Device::Cpu && cudaAvailable(&why);
  if (device == Device::Cuda && !cuda) {
    throw UnsupportedError("--device cuda: " + why);
  }
#ifdef BEAMLET_WITH_CUDA
  if (cuda) {
    auto engine = std::make_unique<cuda::CudaPencilBeam>(std::move(machine));
    log::info("dose engine svd-pencil-beam on " + engine->deviceDescription());
    return engine;
  }
#endif
  log::info("dose engine svd-pencil-beam on the CPU" +
            (device == Device::Auto ? " (no CUDA device: " + why + ")" : std::string()));
  return std::make_unique<SvdPencilBeam>(std::move(machine));
}

} // namespace beamlet::dose
