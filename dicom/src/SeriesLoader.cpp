#include "beamlet/dicom/SeriesLoader.h"

#include "PixelDecoder.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/core/Parallel.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SliceStack.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <type_traits>

namespace beamlet::dicom {

namespace {

struct FrameRef {
  std::size_t file;
  int frame;
};

std::string frameLabel(const DicomFileInfo& f, int frame) {
  return f.numberOfFrames > 1 ? f.path + " frame " + std::to_string(frame + 1) : f.path;
}

// Exactly an integer (an absolute tolerance would take a tiny DoseGridScaling such as 5e-10, the
// scaling of a 2 Gy dose in 32 bits, for 0).
bool isInteger(double v) {
  return std::round(v) == v;
}

// What every file of a series must satisfy before its pixels are decoded.
void checkDecodable(const DicomFileInfo& f) {
  if (!f.readProblem.empty()) {
    throw DataError(withContext(f.path, f.readProblem));
  }
  if (!f.hasPixelData) {
    throw DataError(withContext(
        f.path, "no pixel data (" + (f.modality.empty() ? std::string("no modality") : f.modality) +
                    " object, not an image)"));
  }
  if (f.sopClassUid == "1.2.840.10008.5.1.4.1.1.66.4" || f.modality == "SEG") {
    throw UnsupportedError(withContext(f.path, "DICOM SEG (a segmentation, not an image volume)"));
  }
  if (f.bitsAllocated != 8 && f.bitsAllocated != 16 && f.bitsAllocated != 32) {
    throw UnsupportedError(withContext(f.path, "BitsAllocated " + std::to_string(f.bitsAllocated) +
                                                   ": not an image Beamlet loads (8, 16 or 32)"));
  }
  if (f.rows <= 0 || f.columns <= 0) {
    throw DataError(withContext(f.path, "Rows or Columns missing"));
  }
  if (f.samplesPerPixel != 1) {
    throw UnsupportedError(withContext(
        f.path, "colour image (" + std::to_string(f.samplesPerPixel) + " samples per pixel, " +
                    f.photometricInterpretation + "): not a CT or MR volume"));
  }
  if (f.photometricInterpretation == "PALETTE COLOR") {
    throw UnsupportedError(
        withContext(f.path, "colour image (PALETTE COLOR): not a CT or MR volume"));
  }
}

// Modality, units and identity of a loaded image, from the first file of its series.
void describe(Image& image, const DicomFileInfo& first) {
  image.modality = first.modality;
  if (first.modality == "CT") {
    image.units = "HU";
  } else if (!first.rescaleType.empty()) {
    image.units = first.rescaleType;
  } else {
    image.units = "stored value";
  }
  image.seriesInstanceUid = first.seriesInstanceUid;
  image.frameOfReferenceUid = first.frameOfReferenceUid;
  image.description = first.seriesDescription;
}

// Decodes every file in parallel into one image per slot (distinct position). Further frames at a
// slot's position go to side buffers and must equal the slot's image exactly (a re-sent duplicate),
// otherwise the series is refused.
struct SlotDecoder {
  const std::vector<DicomFileInfo>& files;
  const std::vector<FrameRef>& refs;
  const std::vector<const FrameInfo*>& frameInfos;
  const std::vector<StackFrame>& stackFrames;
  const SliceStack& stack;

  std::size_t pixelsPerSlice() const {
    return static_cast<std::size_t>(stack.columns) * static_cast<std::size_t>(stack.rows);
  }

  /// nullopt when T is int16 and a value does not fit.
  template <typename T>
  std::optional<std::vector<T>> decode(const ProgressScope& scope, std::size_t& duplicates) const {
    const std::size_t perSlice = pixelsPerSlice();
    const std::size_t nSlots = stack.slotFrames.size();
    std::vector<std::size_t> slotOfFrame(stackFrames.size(), 0);
    std::vector<std::size_t> extraOfFrame(stackFrames.size(), 0);
    std::size_t extraCount = 0;
    for (std::size_t s = 0; s < nSlots; ++s) {
      for (std::size_t m = 0; m < stack.slotFrames[s].size(); ++m) {
        slotOfFrame[stack.slotFrames[s][m]] = s;
        if (m > 0) {
          extraOfFrame[stack.slotFrames[s][m]] = ++extraCount;
        }
      }
    }
    std::vector<T> slots(perSlice * nSlots);
    std::vector<T> extra(perSlice * extraCount);
    std::vector<std::vector<std::size_t>> framesOfFile(files.size());
    for (std::size_t n = 0; n < refs.size(); ++n) {
      framesOfFile[refs[n].file].push_back(n);
    }
    std::atomic<bool> fits{true};
    std::atomic<std::size_t> decoded{0};
    parallelFor(files.size(), [&](std::size_t fi) {
      scope.throwIfCancelled();
      if (!fits.load()) {
        return;
      }
      const detail::RawPixels raw = detail::decodePixels(files[fi]);
      for (std::size_t frameIndex : framesOfFile[fi]) {
        const FrameInfo& info = *frameInfos[frameIndex];
        T* dst = extraOfFrame[frameIndex] > 0
                     ? extra.data() + (extraOfFrame[frameIndex] - 1) * perSlice
                     : slots.data() + slotOfFrame[frameIndex] * perSlice;
        if constexpr (std::is_same_v<T, float>) {
          detail::storedToFloat(raw, refs[frameIndex].frame, info.rescaleSlope,
                                info.rescaleIntercept, dst);
        } else {
          if (!detail::storedToInt16(raw, refs[frameIndex].frame, std::llround(info.rescaleSlope),
                                     std::llround(info.rescaleIntercept), dst)) {
            fits = false;
          }
        }
      }
      scope.step(++decoded, files.size());
    });
    if (!fits.load()) {
      return std::nullopt;
    }
    duplicates = 0;
    for (std::size_t s = 0; s < nSlots; ++s) {
      const std::size_t kept = stack.slotFrames[s][0];
      for (std::size_t m = 1; m < stack.slotFrames[s].size(); ++m) {
        const std::size_t frameIndex = stack.slotFrames[s][m];
        const T* other = extra.data() + (extraOfFrame[frameIndex] - 1) * perSlice;
        if (std::memcmp(slots.data() + s * perSlice, other, perSlice * sizeof(T)) != 0 ||
            (stackFrames[frameIndex].position - stackFrames[kept].position).norm() > 1e-3) {
          throw GeometryError(withContext(stackFrames[frameIndex].label,
                                          "differs from " + stackFrames[kept].label +
                                              " at the same position: several images at one "
                                              "position disagree"));
        }
        ++duplicates;
      }
    }
    return slots;
  }
};

} // namespace

Image loadSeries(const SeriesEntry& series, ProgressMonitor* progress) {
  const auto& files = series.files;
  if (files.empty()) {
    throw DataError("series " + series.seriesInstanceUid + " has no files");
  }
  ProgressScope scope(progress, 0.0, 1.0, "loading series");

  // 1. Every frame needs pixel data and plane geometry.
  std::vector<StackFrame> stackFrames;
  std::vector<FrameRef> refs;
  std::vector<const FrameInfo*> frameInfos;
  std::set<long> temporalPositions;
  for (const DicomFileInfo& f : files) {
    checkDecodable(f);
  }
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    const DicomFileInfo& f = files[fi];
    if (!f.framesPlaced) {
      throw GeometryError(withContext(f.path, std::to_string(f.numberOfFrames) +
                                                  " frames without per-frame positions: not a "
                                                  "volume Beamlet can place in space"));
    }
    for (int n = 0; n < static_cast<int>(f.frames.size()); ++n) {
      const FrameInfo& fr = f.frames[static_cast<std::size_t>(n)];
      const std::string label = frameLabel(f, n);
      if (!fr.position || !fr.rowDir || !fr.columnDir) {
        throw GeometryError(withContext(label, "no ImagePositionPatient/ImageOrientationPatient: "
                                               "not placed in patient space"));
      }
      if (!fr.spacingI || !fr.spacingJ) {
        throw GeometryError(withContext(label, "no PixelSpacing"));
      }
      if (fr.temporalPosition >= 0) {
        temporalPositions.insert(fr.temporalPosition);
      }
      stackFrames.push_back({*fr.position, *fr.rowDir, *fr.columnDir, *fr.spacingI, *fr.spacingJ,
                             f.columns, f.rows, label});
      refs.push_back({fi, n});
      frameInfos.push_back(&fr);
    }
  }
  if (temporalPositions.size() > 1) {
    throw GeometryError(
        withContext(files.front().path, std::to_string(temporalPositions.size()) +
                                            " time points in one series (4-D): Beamlet loads 3-D "
                                            "volumes"));
  }

  // 2. Geometry: sort, duplicates, uniformity, tilt.
  const SliceStack stack = planSliceStack(stackFrames);
  scope.throwIfCancelled();

  // 3. Decode: int16 directly when every slope and intercept is an integer (no float copy of the
  //    volume); float otherwise, or when an int16 value overflows.
  bool integral = !stack.needsResampling;
  for (const FrameInfo* fr : frameInfos) {
    integral = integral && isInteger(fr->rescaleSlope) && fr->rescaleSlope != 0.0 &&
               isInteger(fr->rescaleIntercept);
  }
  SlotDecoder decoder{files, refs, frameInfos, stackFrames, stack};
  ProgressScope decodeScope(scope, 0.0, stack.needsResampling ? 0.8 : 0.95, "decoding slices");
  Image image;
  std::size_t droppedDuplicates = 0;
  std::optional<std::vector<std::int16_t>> exact;
  if (integral) {
    exact = decoder.decode<std::int16_t>(decodeScope, droppedDuplicates);
  }
  if (exact) {
    image = Image(VolumeI16(stack.grid, std::move(*exact)));
  } else {
    std::vector<float> slotPixels = *decoder.decode<float>(decodeScope, droppedDuplicates);
    if (stack.needsResampling) {
      scope.throwIfCancelled();
      const float minValue = *std::min_element(slotPixels.begin(), slotPixels.end());
      VolumeF32 volume(stack.grid);
      std::vector<const float*> slotImages(stack.slotFrames.size());
      for (std::size_t s = 0; s < slotImages.size(); ++s) {
        slotImages[s] = slotPixels.data() + s * decoder.pixelsPerSlice();
      }
      resampleSliceStack(stack, slotImages, minValue, volume.data());
      image = Image(std::move(volume));
    } else {
      image = Image(VolumeF32(stack.grid, std::move(slotPixels)));
    }
  }

  const DicomFileInfo& first = files.front();
  describe(image, first);
  image.warnings = stack.notes;
  if (droppedDuplicates > 0) {
    image.warnings.push_back(std::to_string(droppedDuplicates) +
                             " duplicate image(s) at an already loaded position were identical "
                             "and ignored");
  }
  const std::string name = series.id.empty() ? first.path : "series " + series.id;
  for (const auto& w : image.warnings) {
    log::warn(withContext(name, w));
  }
  return image;
}

Image loadSlice(const std::string& path) {
  const DicomFileInfo f = readFileInfo(path);
  checkDecodable(f);
  if (f.numberOfFrames != 1 || f.frames.size() != 1) {
    throw UnsupportedError(withContext(path, std::to_string(f.numberOfFrames) +
                                                 " frames: loadSlice reads single-frame images"));
  }
  const FrameInfo& fr = f.frames.front();
  const detail::RawPixels raw = detail::decodePixels(f);
  ImageGeometry g;
  g.dims = {f.columns, f.rows, 1};
  g.spacing = Vec3(fr.spacingI.value_or(1.0), fr.spacingJ.value_or(1.0),
                   f.sliceThickness > 0 ? f.sliceThickness : 1.0);
  std::vector<std::string> warnings;
  if (fr.position && fr.rowDir && fr.columnDir) {
    g.origin = *fr.position;
    g.direction.col(0) = fr.rowDir->normalized();
    g.direction.col(1) = fr.columnDir->normalized();
    g.direction.col(2) = g.direction.col(0).cross(g.direction.col(1)).normalized();
  } else {
    warnings.push_back("no ImagePositionPatient/ImageOrientationPatient: placed at the origin");
  }
  Image image;
  VolumeI16 exact(g);
  if (isInteger(fr.rescaleSlope) && isInteger(fr.rescaleIntercept) &&
      detail::storedToInt16(raw, 0, std::llround(fr.rescaleSlope),
                            std::llround(fr.rescaleIntercept), exact.data())) {
    image = Image(std::move(exact));
  } else {
    VolumeF32 values(g);
    detail::storedToFloat(raw, 0, fr.rescaleSlope, fr.rescaleIntercept, values.data());
    image = Image(std::move(values));
  }
  describe(image, f);
  image.warnings = warnings;
  return image;
}

Image loadSeriesFiles(const std::vector<std::string>& paths, ProgressMonitor* progress) {
  SeriesEntry series;
  series.files.resize(paths.size());
  parallelFor(paths.size(), [&](std::size_t n) { series.files[n] = readFileInfo(paths[n]); });
  std::set<std::string> uids;
  for (const auto& f : series.files) {
    uids.insert(f.seriesInstanceUid);
  }
  if (uids.size() > 1) {
    throw DataError(withContext(paths.front(), "files belong to " + std::to_string(uids.size()) +
                                                   " different series"));
  }
  if (!series.files.empty()) {
    series.seriesInstanceUid = series.files.front().seriesInstanceUid;
    series.modality = series.files.front().modality;
  }
  return loadSeries(series, progress);
}

} // namespace beamlet::dicom
