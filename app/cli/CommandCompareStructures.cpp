// beamlet-cli compare-structures: two sets of structures (RTSTRUCT or a folder of mask files) ->
// Dice, HD95, Hausdorff, mean surface distance and volume difference per structure
// (core/MaskMetrics.h; conventions in docs/contouring.md, layout in docs/cli.md).

#include "Command.h"

#include "beamlet/app/ResearchCase.h"
#include "beamlet/app/Session.h"
#include "beamlet/core/ContourRasterizer.h"
#include "beamlet/core/Error.h"
#include "beamlet/core/MaskContours.h"
#include "beamlet/core/MaskMetrics.h"
#include "beamlet/core/Tg263.h"
#include "beamlet/dicom/RtStruct.h"
#include "beamlet/dicom/VolumeFile.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace beamlet::cli {

namespace {

struct NamedMask {
  std::string name;
  Mask mask;
};

struct StructureInput {
  std::string path;
  std::string kind; ///< "rtstruct" or "masks"
  std::vector<NamedMask> masks;
};

// The image grid the RTSTRUCTs are rasterised onto (loaded once, only when needed).
struct ImageGrid {
  std::string folder;
  std::unique_ptr<app::Session> session;
  std::string seriesId;

  const Image& image() {
    if (!session) {
      if (folder.empty()) {
        throw InvalidArgumentError(
            "an RTSTRUCT is compared on the image series it was drawn on: give --image DIR");
      }
      session = std::make_unique<app::Session>();
      session->openFolder(folder);
      seriesId = session->onlySeriesUid();
      session->loadSeries(seriesId);
    }
    return *session->image();
  }
};

StructureInput readInput(const std::string& path, ImageGrid& grid,
                         std::vector<std::string>& notes) {
  StructureInput input;
  input.path = path;
  if (fs::is_directory(path)) {
    input.kind = "masks";
    std::vector<std::string> skipped;
    for (app::MaskFile& m : app::readMaskFolder(path, &skipped)) {
      input.masks.push_back({m.name, std::move(m.mask)});
    }
    for (const std::string& s : skipped) {
      const std::string note = path + ": " + s;
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) {
        notes.push_back(note);
      }
    }
    if (input.masks.empty()) {
      throw DataError(withContext(path, "no binary mask file in the folder"));
    }
    return input;
  }
  if (!fs::is_regular_file(path)) {
    throw IoError(withContext(path, "no such file or folder"));
  }
  if (dicom::isVolumeFileName(path)) {
    throw InvalidArgumentError(
        withContext(path, "a single volume file (label map) is not supported: give an RTSTRUCT or "
                          "a folder of mask files named after their structures"));
  }
  input.kind = "rtstruct";
  if (grid.folder.empty()) {
    throw InvalidArgumentError(withContext(
        path, "an RTSTRUCT is compared on the image series it was drawn on: give --image DIR"));
  }
  StructureSet set = dicom::readRtStruct(path);
  const Image& image = grid.image();
  dicom::checkAgainstImage(set, path, image, grid.session->index()->findSeries(grid.seriesId));
  for (const Structure& s : set.structures) {
    input.masks.push_back({s.name, rasterize(s, image.geometry())});
  }
  for (const std::string& w : set.warnings) {
    notes.push_back(path + ": " + w);
  }
  if (input.masks.empty()) {
    throw DataError(withContext(path, "the RTSTRUCT holds no structure"));
  }
  return input;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// How `a` matches `b`: "exact", "case-insensitive", "tg263" or nothing.
std::optional<std::string> nameMatch(const std::string& a, const std::string& b, int level) {
  if (level == 0 && a == b) {
    return "exact";
  }
  if (level == 1 && lower(a) == lower(b)) {
    return "case-insensitive";
  }
  if (level == 2 && lower(tg263Name(a)) == lower(tg263Name(b))) {
    return "tg263";
  }
  return std::nullopt;
}

struct Row {
  std::string name;          ///< reference name
  std::string evaluatedName; ///< evaluated name
  std::string matchedBy;
  bool resampled = false;
  MaskComparison c;
};

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) {
      items.push_back(item.substr(b, e - b + 1));
    }
  }
  return items;
}

// JSON written by hand: beamlet-cli does not link nlohmann_json (only beamlet_app does).
std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string jsonNumber(double v) {
  if (!std::isfinite(v)) {
    return "null";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string jsonList(const std::vector<std::string>& items) {
  std::string j = "[";
  for (std::size_t n = 0; n < items.size(); ++n) {
    j += (n > 0 ? ", " : "") + jsonString(items[n]);
  }
  return j + "]";
}

std::string mm(double v) {
  if (!std::isfinite(v)) {
    return "n/a";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f mm", v);
  return buf;
}

} // namespace

Command addCompareStructuresCommand(CLI::App& app) {
  struct Options {
    std::string reference;
    std::string evaluated;
    std::string image;
    std::string structures;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sub = app.add_subcommand(
      "compare-structures",
      "Two structure sets (RTSTRUCT or a folder of mask files) -> Dice, HD95, Hausdorff, mean "
      "surface distance and volume difference per structure matched by name");
  sub->add_option("REF", o->reference, "Reference: RTSTRUCT file or folder of mask files")
      ->required();
  sub->add_option("EVAL", o->evaluated, "Evaluated: RTSTRUCT file or folder of mask files")
      ->required();
  sub->add_option("--image", o->image,
                  "Image series folder the RTSTRUCT(s) were drawn on (required for an RTSTRUCT)");
  sub->add_option("--structures", o->structures,
                  "Comma-separated reference structures to compare (default: all)");
  sub->add_flag("--json", o->json, "Machine-readable output (layout in docs/cli.md)");
  return {
      sub, [o] {
        ImageGrid grid{o->image, nullptr, {}};
        std::vector<std::string> notes;
        StructureInput ref = readInput(o->reference, grid, notes);
        StructureInput eval = readInput(o->evaluated, grid, notes);

        std::vector<bool> refWanted(ref.masks.size(), true);
        if (!o->structures.empty()) {
          std::fill(refWanted.begin(), refWanted.end(), false);
          for (const std::string& want : splitList(o->structures)) {
            bool found = false;
            for (int level = 0; level < 3 && !found; ++level) {
              for (std::size_t n = 0; n < ref.masks.size(); ++n) {
                if (nameMatch(want, ref.masks[n].name, level)) {
                  refWanted[n] = true;
                  found = true;
                }
              }
            }
            if (!found) {
              throw DataError(withContext(o->reference, "no structure '" + want + "'"));
            }
          }
        }

        // Match by name: exact first, then ignoring case, then by TG-263 name; each
        // structure is used once.
        std::vector<int> match(ref.masks.size(), -1);
        std::vector<std::string> matchedBy(ref.masks.size());
        std::vector<bool> evalUsed(eval.masks.size(), false);
        for (int level = 0; level < 3; ++level) {
          for (std::size_t r = 0; r < ref.masks.size(); ++r) {
            if (!refWanted[r] || match[r] >= 0) {
              continue;
            }
            for (std::size_t e = 0; e < eval.masks.size(); ++e) {
              if (evalUsed[e]) {
                continue;
              }
              if (auto how = nameMatch(ref.masks[r].name, eval.masks[e].name, level)) {
                match[r] = static_cast<int>(e);
                matchedBy[r] = *how;
                evalUsed[e] = true;
                break;
              }
            }
          }
        }

        std::vector<Row> rows;
        std::vector<std::string> unmatchedRef;
        std::vector<std::string> unmatchedEval;
        for (std::size_t r = 0; r < ref.masks.size(); ++r) {
          if (!refWanted[r]) {
            continue;
          }
          if (match[r] < 0) {
            unmatchedRef.push_back(ref.masks[r].name);
            continue;
          }
          const NamedMask& a = ref.masks[r];
          const NamedMask& b = eval.masks[static_cast<std::size_t>(match[r])];
          Row row{a.name, b.name, matchedBy[r], false, {}};
          if (b.mask.geometry().sameGrid(a.mask.geometry())) {
            row.c = compareMasks(a.mask, b.mask);
          } else {
            row.resampled = true;
            Mask resampled;
            try {
              resampled = resampleNearest(b.mask, a.mask.geometry());
            } catch (const GeometryError&) {
              resampled = Mask(a.mask.geometry(), 0); // no overlap: nothing inside
            }
            row.c = compareMasks(a.mask, resampled);
            notes.push_back(b.name + ": evaluated mask on another grid than the reference, "
                                     "resampled onto it (nearest neighbour)");
          }
          rows.push_back(std::move(row));
        }
        if (o->structures.empty()) {
          for (std::size_t e = 0; e < eval.masks.size(); ++e) {
            if (!evalUsed[e]) {
              unmatchedEval.push_back(eval.masks[e].name);
            }
          }
        }

        if (o->json) {
          std::string j = "{\n  \"format\": \"beamlet-structure-comparison\",\n";
          j += "  \"version\": 1,\n";
          j += "  \"reference\": {\"path\": " + jsonString(ref.path) +
               ", \"kind\": " + jsonString(ref.kind) + "},\n";
          j += "  \"evaluated\": {\"path\": " + jsonString(eval.path) +
               ", \"kind\": " + jsonString(eval.kind) + "},\n";
          j += "  \"structures\": [";
          for (std::size_t n = 0; n < rows.size(); ++n) {
            const Row& row = rows[n];
            const MaskComparison& c = row.c;
            j += n > 0 ? ",\n" : "\n";
            j += "    {\"name\": " + jsonString(row.name) +
                 ", \"evaluatedName\": " + jsonString(row.evaluatedName) +
                 ", \"matchedBy\": " + jsonString(row.matchedBy) +
                 ", \"resampled\": " + (row.resampled ? "true" : "false") +
                 ",\n     \"dice\": " + jsonNumber(c.dice) +
                 ", \"hd95Mm\": " + jsonNumber(c.hd95Mm) +
                 ", \"hausdorffMm\": " + jsonNumber(c.hausdorffMm) +
                 ", \"meanSurfaceDistanceMm\": " + jsonNumber(c.meanSurfaceDistanceMm) +
                 ",\n     \"referenceVolumeCc\": " + jsonNumber(c.referenceVolumeCc) +
                 ", \"evaluatedVolumeCc\": " + jsonNumber(c.evaluatedVolumeCc) +
                 ", \"volumeDifferenceCc\": " + jsonNumber(c.volumeDifferenceCc) +
                 ", \"volumeDifferencePercent\": " + jsonNumber(c.volumeDifferencePercent) +
                 ",\n     \"referenceVoxels\": " + std::to_string(c.referenceVoxels) +
                 ", \"evaluatedVoxels\": " + std::to_string(c.evaluatedVoxels) +
                 ", \"overlapVoxels\": " + std::to_string(c.overlapVoxels) +
                 ", \"referenceSurfaceVoxels\": " + std::to_string(c.referenceSurfaceVoxels) +
                 ", \"evaluatedSurfaceVoxels\": " + std::to_string(c.evaluatedSurfaceVoxels) + "}";
          }
          j += rows.empty() ? "],\n" : "\n  ],\n";
          j += "  \"unmatchedReference\": " + jsonList(unmatchedRef) + ",\n";
          j += "  \"unmatchedEvaluated\": " + jsonList(unmatchedEval) + ",\n";
          j += "  \"notes\": " + jsonList(notes) + "\n}\n";
          std::fputs(j.c_str(), stdout);
          return 0;
        }

        std::printf("reference %s (%s), evaluated %s (%s)\n", ref.path.c_str(), ref.kind.c_str(),
                    eval.path.c_str(), eval.kind.c_str());
        for (const Row& row : rows) {
          const MaskComparison& c = row.c;
          std::string name = row.name;
          if (row.evaluatedName != row.name) {
            name += " = " + row.evaluatedName + " (" + row.matchedBy + ")";
          }
          char diffPercent[32];
          if (std::isfinite(c.volumeDifferencePercent)) {
            std::snprintf(diffPercent, sizeof diffPercent, "%+.1f%%", c.volumeDifferencePercent);
          } else {
            std::snprintf(diffPercent, sizeof diffPercent, "n/a %%");
          }
          std::printf("%s: Dice %.3f, HD95 %s, HD %s, MSD %s, volume %.2f cc ref, %.2f cc "
                      "eval, difference %+.2f cc (%s)\n",
                      name.c_str(), c.dice, mm(c.hd95Mm).c_str(), mm(c.hausdorffMm).c_str(),
                      mm(c.meanSurfaceDistanceMm).c_str(), c.referenceVolumeCc, c.evaluatedVolumeCc,
                      c.volumeDifferenceCc, diffPercent);
        }
        auto joined = [](const std::vector<std::string>& items) {
          std::string s;
          for (const std::string& item : items) {
            s += (s.empty() ? "" : ", ") + item;
          }
          return s;
        };
        if (!unmatchedRef.empty()) {
          std::printf("unmatched in reference: %s\n", joined(unmatchedRef).c_str());
        }
        if (!unmatchedEval.empty()) {
          std::printf("unmatched in evaluated: %s\n", joined(unmatchedEval).c_str());
        }
        for (const std::string& note : notes) {
          std::printf("note: %s\n", note.c_str());
        }
        return 0;
      }};
}

} // namespace beamlet::cli
