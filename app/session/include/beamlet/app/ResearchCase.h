#pragma once
// Research data as planning input: a CT volume file (NIfTI, NRRD, MetaImage) and a folder of binary
// mask files named after their structures, as OpenKBP ships its patients. The case becomes a
// structure set of planar contours on the CT's grid, ready to be written as a DICOM CT series and
// an RTSTRUCT (docs/cli.md, plan).

#include "beamlet/core/Image.h"
#include "beamlet/core/Structure.h"

#include <string>
#include <vector>

namespace beamlet::app {

struct ResearchCase {
  Image ct;                       ///< modality CT, units HU
  StructureSet structures;        ///< one per mask file (ROI numbers 1..n, sorted by name)
  std::vector<std::string> notes; ///< what was read, skipped or made, one line each
};

/// One file of a folder of masks: the structure's name (the file name without its extension), the
/// file, and its voxels as a 0/1 mask on the file's own grid.
struct MaskFile {
  std::string name;
  std::string path;
  Mask mask;
};

/// Every volume file in `folder` (not recursive) whose voxels hold 0 and at most one other value,
/// sorted by file name; empty masks are kept (loadResearchCase skips them). Other files (a CT, a
/// dose) and a second file with the same name are skipped with a line in `notes`; `exclude` (a
/// file in the folder, e.g. the CT) is not read. Throws IoError naming the folder or file that
/// cannot be listed or read.
std::vector<MaskFile> readMaskFolder(const std::string& folder,
                                     std::vector<std::string>* notes = nullptr,
                                     const std::string& exclude = "");

/// True when `image` names a volume file rather than a DICOM folder.
bool isVolumeImage(const std::string& image);

/// Reads the CT volume (values taken as HU) and every volume file in `maskFolder` except the CT
/// itself (readMaskFolder). Masks on another grid are resampled by nearest neighbour (with a
/// note); empty masks are skipped with a note. The structure's name is the file
/// name without its extension; its type comes from the name (PTV*, CTV*, External, ...). When no
/// mask is an External, one is made from the CT (bodyOutline, -350 HU) joined with every mask, and
/// a note says so. Throws IoError naming the file that cannot be read, DataError when the folder
/// holds no mask.
ResearchCase loadResearchCase(const std::string& ctVolume, const std::string& maskFolder);

} // namespace beamlet::app
