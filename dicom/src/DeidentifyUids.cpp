#include "DeidentifyUids.h"

#include <array>
#include <cstdint>
#include <random>

namespace beamlet::dicom::detail {

std::string randomUuidUid() {
  // std::random_device reads the operating system's entropy source: the UIDs cannot be predicted
  // from one another, unlike a seeded generator's.
  thread_local std::random_device device;
  // The 128-bit number as four 32-bit limbs, most significant first.
  std::array<std::uint32_t, 4> limbs{};
  for (auto& limb : limbs) {
    limb = static_cast<std::uint32_t>(device());
  }
  // UUID version 4 (random) and variant 10 (RFC 4122 / X.667), so the number is a valid UUID.
  limbs[1] = (limbs[1] & 0xFFFF0FFFu) | 0x00004000u;
  limbs[2] = (limbs[2] & 0x3FFFFFFFu) | 0x80000000u;

  // Decimal digits by repeated division of the limbs by 10.
  std::string digits;
  for (;;) {
    std::uint64_t remainder = 0;
    bool nonZero = false;
    for (auto& limb : limbs) {
      const std::uint64_t value = (remainder << 32) | limb;
      limb = static_cast<std::uint32_t>(value / 10);
      remainder = value % 10;
      nonZero = nonZero || limb != 0;
    }
    digits.insert(digits.begin(), static_cast<char>('0' + remainder));
    if (!nonZero) {
      break;
    }
  }
  return "2.25." + digits;
}

std::string UidMap::map(const std::string& original, bool replaced) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (replaced) {
    replaced_.insert(original);
  }
  const auto it = map_.find(original);
  if (it != map_.end()) {
    return it->second;
  }
  std::string uid = randomUuidUid();
  // A collision of 122 random bits will not happen; checking costs nothing and guarantees that two
  // originals never merge into one object.
  while (!issued_.insert(uid).second) {
    uid = randomUuidUid();
  }
  map_.emplace(original, uid);
  return uid;
}

std::size_t UidMap::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return replaced_.size();
}

} // namespace beamlet::dicom::detail
