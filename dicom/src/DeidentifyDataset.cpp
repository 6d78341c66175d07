#include "DeidentifyDataset.h"

#include "DeidentifyProfile.h"
#include "DicomWriting.h"

#include "beamlet/core/Error.h"

#include <algorithm>

namespace beamlet::dicom::detail {

namespace {

// Dummy values (action D) by VR. They carry no information, and are valid for the VR, so a Type 1
// attribute stays conformant.
constexpr const char* kDummyText = "ANONYMIZED";
// A person name with its component delimiter: a name without '^' reads as the retired free-text
// form to validators (dciodvfy).
constexpr const char* kDummyPersonName = "ANONYMIZED^";
constexpr const char* kDummyDate = "19000101";
constexpr const char* kDummyTime = "000000";
constexpr const char* kDummyDateTime = "19000101000000";

std::uint32_t tagKey(const DcmTagKey& tag) {
  return (static_cast<std::uint32_t>(tag.getGroup()) << 16) | tag.getElement();
}

std::string trimUid(std::string s) {
  const auto last = s.find_last_not_of(std::string(" \0", 2));
  s.erase(last == std::string::npos ? 0 : last + 1);
  const auto first = s.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : s.substr(first);
}

bool isSequence(const DcmElement& e) {
  return e.ident() == EVR_SQ;
}

class Cleaner {
public:
  Cleaner(const DeidSettings& settings, DeidChanges& changes)
      : settings_(settings), changes_(changes) {}

  void cleanItem(DcmItem& item) {
    unsigned long n = 0;
    while (n < item.card()) {
      DcmElement* e = item.getElement(n);
      if (e == nullptr) {
        ++n;
        continue;
      }
      const DcmTagKey tag = e->getTag();
      if (tag.getGroup() % 2 == 1) {
        // Private attributes: X (Table E.1-1 "Private Attributes"); the Retain Safe Private Option
        // is not implemented, so none is known to be safe.
        delete item.remove(n);
        ++changes_.privateRemoved;
        continue;
      }
      const Uint16 family = tag.getGroup() & 0xFF00;
      if (family == 0x5000 || family == 0x6000) {
        // Curves (50xx,xxxx) and overlays (60xx,3000 Overlay Data, 60xx,4000 Overlay Comments): X.
        // The whole repeating group goes: an overlay plane without its data is meaningless, and
        // overlays often hold burned-in style annotation.
        delete item.remove(n);
        ++changes_.overlayCurveRemoved;
        continue;
      }
      if (e->ident() == EVR_UN) {
        e = typedFromUnknown(item, n, *e);
        if (e == nullptr) {
          continue; // removed
        }
      }
      if (tag == DCM_PatientName || tag == DCM_PatientID) {
        // Patient's Name is Z and Patient ID Z/D; both allow a dummy, and one per patient keeps
        // several patients in a set apart.
        replaceText(*e, tag == DCM_PatientName ? settings_.patientName : settings_.patientId);
        ++n;
        continue;
      }
      DeidAction action = basicProfileRule(tag).apply;
      if (action != DeidAction::Keep && action != DeidAction::Uid && retainedDate(tag)) {
        action = DeidAction::Keep;
      }
      switch (action) {
      case DeidAction::Remove:
        delete item.remove(n);
        changes_.add(tag, DeidChange::Removed);
        continue;
      case DeidAction::Empty:
        empty(*e);
        break;
      case DeidAction::Dummy:
        dummy(item, *e);
        break;
      case DeidAction::Uid:
        remapUids(item, *e);
        break;
      default:
        // K and X/Z/U*: keep, but clean inside sequences (references keep their items with new
        // UIDs) and replace any instance UID the table does not list by name.
        if (isSequence(*e)) {
          cleanSequence(*e);
        } else if (e->ident() == EVR_UI && !isClassUidTag(tag)) {
          remapUids(item, *e);
        }
        break;
      }
      ++n;
    }
  }

  /// Replaces every non-well-known UID in a UI value. A UID stored with VR UN is swapped for a new
  /// UI element at the same position (`e` is deleted then): the caller must not touch `e` again,
  /// and must not look at that position again either, or the new UID would be remapped once more.
  void remapUids(DcmItem& item, DcmElement& e) {
    std::string value;
    const bool unknownVr = e.ident() == EVR_UN;
    if (unknownVr) {
      Uint8* bytes = nullptr;
      if (e.getUint8Array(bytes).good() && bytes != nullptr) {
        value.assign(reinterpret_cast<const char*>(bytes), e.getLength());
      }
    } else {
      OFString text;
      if (e.getOFStringArray(text).bad()) {
        return;
      }
      value = text.c_str();
    }
    std::string result;
    bool changed = false;
    std::size_t start = 0;
    for (;;) {
      const std::size_t end = value.find('\\', start);
      std::string uid = trimUid(value.substr(start, end == std::string::npos ? end : end - start));
      if (!uid.empty() && !isWellKnownUid(uid)) {
        uid = settings_.uids->map(uid);
        changed = true;
      }
      result += uid;
      if (end == std::string::npos) {
        break;
      }
      result += '\\';
      start = end + 1;
    }
    if (!changed) {
      return;
    }
    const DcmTagKey tag = e.getTag();
    changes_.add(tag, DeidChange::UidRemapped);
    if (!unknownVr) {
      e.putOFStringArray(result.c_str());
      return;
    }
    auto* ui = new DcmUniqueIdentifier(DcmTag(tag, EVR_UI));
    ui->putOFStringArray(result.c_str());
    item.insert(ui, OFTrue /* replace (and delete) the UN element */);
  }

private:
  /// An attribute stored with VR UN (an explicit VR file from a writer that did not know it) is
  /// re-typed with its dictionary VR when that is a string VR, so that dummies and UIDs are
  /// written as text rather than parsed as numbers. A sequence stored as UN cannot be cleaned
  /// inside (its items are not parsed), so it is removed. Returns the element now at position n,
  /// or nullptr when it was removed.
  DcmElement* typedFromUnknown(DcmItem& item, unsigned long n, DcmElement& e) {
    const DcmTagKey tag = e.getTag();
    const DcmVR vr = DcmTag(tag).getVR();
    if (vr.getEVR() == EVR_SQ) {
      delete item.remove(n);
      changes_.add(tag, DeidChange::Removed);
      return nullptr;
    }
    if (!vr.isaString()) {
      return &e;
    }
    std::string value;
    Uint8* bytes = nullptr;
    if (e.getUint8Array(bytes).good() && bytes != nullptr) {
      value.assign(reinterpret_cast<const char*>(bytes), e.getLength());
    }
    DcmElement* typed = nullptr;
    if (DcmItem::newDicomElement(typed, tag).bad() || typed == nullptr) {
      return &e;
    }
    typed->putString(value.c_str(), static_cast<Uint32>(value.size()));
    item.insert(typed, OFTrue /* replace (and delete) the UN element */);
    return typed;
  }

  bool retainedDate(const DcmTagKey& tag) const {
    // Retain Longitudinal Temporal Information With Full Dates Option (PS3.15 E.3.6): the dates
    // and times of the table are kept (K); not the patient's birth date and time, which the option
    // does not cover.
    if (!settings_.retainLongitudinalFullDates || tag == DCM_PatientBirthDate ||
        tag == DCM_PatientBirthTime) {
      return false;
    }
    const DcmEVR vr = DcmTag(tag).getEVR();
    return vr == EVR_DA || vr == EVR_DT || vr == EVR_TM || tag == DCM_TimezoneOffsetFromUTC;
  }

  void replaceText(DcmElement& e, const std::string& value) {
    OFString old;
    e.getOFStringArray(old);
    if (old.c_str() != value) {
      e.putOFStringArray(value.c_str());
      changes_.add(e.getTag(), DeidChange::Replaced);
    }
  }

  void empty(DcmElement& e) {
    if (isSequence(e)) {
      auto& seq = static_cast<DcmSequenceOfItems&>(e);
      if (seq.card() > 0) {
        seq.clear();
        changes_.add(e.getTag(), DeidChange::Emptied);
      }
    } else if (e.getLength() > 0) {
      e.clear();
      changes_.add(e.getTag(), DeidChange::Emptied);
    }
  }

  /// D. A UID is swapped for a new element (see remapUids).
  void dummy(DcmItem& item, DcmElement& e) {
    if (e.getLength() == 0 && !isSequence(e)) {
      return; // nothing to hide; an empty value is as anonymous as a dummy
    }
    switch (e.ident()) {
    case EVR_SQ:
      // A dummy sequence would be one with invented items; none is safer.
      empty(e);
      return;
    case EVR_UI:
      remapUids(item, e);
      return;
    case EVR_DA:
      replaceText(e, kDummyDate);
      return;
    case EVR_TM:
      replaceText(e, kDummyTime);
      return;
    case EVR_DT:
      replaceText(e, kDummyDateTime);
      return;
    case EVR_IS:
    case EVR_DS:
      replaceText(e, "0");
      return;
    case EVR_AS:
      replaceText(e, "000D");
      return;
    case EVR_AE:
    case EVR_CS:
    case EVR_LO:
    case EVR_LT:
    case EVR_SH:
    case EVR_ST:
    case EVR_UC:
    case EVR_UT:
      replaceText(e, kDummyText);
      return;
    case EVR_PN:
      replaceText(e, kDummyPersonName);
      return;
    default:
      // Binary or unknown VR: no meaningful dummy exists; an empty value hides the content.
      empty(e);
      return;
    }
  }

  void cleanSequence(DcmElement& e) {
    auto& seq = static_cast<DcmSequenceOfItems&>(e);
    for (unsigned long i = 0; i < seq.card(); ++i) {
      if (DcmItem* child = seq.getItem(i)) {
        cleanItem(*child);
      }
    }
  }

  const DeidSettings& settings_;
  DeidChanges& changes_;
};

bool hasCode(DcmSequenceOfItems* seq, const char* value) {
  for (unsigned long i = 0; seq != nullptr && i < seq->card(); ++i) {
    if (getString(seq->getItem(i), DCM_CodeValue) == value &&
        getString(seq->getItem(i), DCM_CodingSchemeDesignator) == "DCM") {
      return true;
    }
  }
  return false;
}

void addMethodCode(DcmDataset& ds, const char* value, const char* meaning) {
  DcmSequenceOfItems* seq = nullptr;
  ds.findAndGetSequence(DCM_DeidentificationMethodCodeSequence, seq);
  if (hasCode(seq, value)) {
    return;
  }
  DcmItem* item = nullptr;
  // -2: append a new item (creating the sequence when absent).
  if (ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, item, -2).bad() ||
      item == nullptr) {
    throw DataError("cannot add De-identification Method Code Sequence item");
  }
  put(item, DCM_CodeValue, value);
  put(item, DCM_CodingSchemeDesignator, "DCM");
  put(item, DCM_CodeMeaning, meaning);
}

// PS3.15 E.1.1 requires the de-identifier to say what was done: Patient Identity Removed
// (0012,0062) YES, De-identification Method (0012,0063) and its Code Sequence (0012,0064) with the
// profile and options used (codes from PS3.16 CID 7050). Earlier de-identifications' codes are
// kept.
void markDeidentified(DcmDataset& ds, const DeidSettings& settings) {
  put(&ds, DCM_PatientIdentityRemoved, "YES");
  std::string method = "Beamlet: PS3.15 Basic Application Confidentiality Profile";
  if (settings.retainLongitudinalFullDates) {
    method += "\\Retain Longitudinal Temporal Information Full Dates Option";
  }
  put(&ds, DCM_DeidentificationMethod, method);
  addMethodCode(ds, "113100", "Basic Application Confidentiality Profile");
  if (settings.retainLongitudinalFullDates) {
    addMethodCode(ds, "113106", "Retain Longitudinal Temporal Information Full Dates Option");
  } else {
    // The profile removed or emptied the dates (or put dummies): PS3.3 C.7.6.1.1.1 says REMOVED.
    put(&ds, DCM_LongitudinalTemporalInformationModified, "REMOVED");
  }
  // Patient's Name and Patient ID are Type 2 in the Patient Module: present even where the input
  // lacked them.
  if (!ds.tagExists(DCM_PatientName)) {
    put(&ds, DCM_PatientName, settings.patientName);
  }
  if (!ds.tagExists(DCM_PatientID)) {
    put(&ds, DCM_PatientID, settings.patientId);
  }
}

// What the profile as implemented does not remove: text burned into the pixels (the Clean Pixel
// Data Option, PS3.15 E.3.1) and recognisable features (Clean Recognizable Visual Features Option).
void collectWarnings(DcmDataset& ds, DeidChanges& changes) {
  const std::string burnedIn = getString(&ds, DCM_BurnedInAnnotation);
  const std::string modality = getString(&ds, DCM_Modality);
  const std::string sopClass = getString(&ds, DCM_SOPClassUID);
  if (burnedIn == "YES") {
    changes.warnings.push_back("BurnedInAnnotation is YES: text burned into the pixels is not "
                               "removed (Clean Pixel Data Option not implemented)");
  } else if (burnedIn.empty() && ds.tagExists(DCM_PixelData)) {
    static const char* const riskyModalities[] = {"US", "OT", "XA", "XC", "ES", "SC", "DOC"};
    const bool secondaryCapture = sopClass.rfind("1.2.840.10008.5.1.4.1.1.7", 0) == 0;
    if (secondaryCapture || std::find(std::begin(riskyModalities), std::end(riskyModalities),
                                      modality) != std::end(riskyModalities)) {
      changes.warnings.push_back(
          (secondaryCapture ? std::string("secondary capture") : "modality " + modality) +
          " often has text burned into the pixels and BurnedInAnnotation is absent: check the "
          "images (pixels are not cleaned)");
    }
  }
  if (getString(&ds, DCM_RecognizableVisualFeatures) == "YES") {
    changes.warnings.push_back("RecognizableVisualFeatures is YES: the images may show the "
                               "patient's face or other recognisable features");
  }
}

} // namespace

const char* deidChangeName(DeidChange change) {
  switch (change) {
  case DeidChange::Removed:
    return "removed";
  case DeidChange::Emptied:
    return "emptied";
  case DeidChange::Replaced:
    return "replaced";
  case DeidChange::UidRemapped:
    return "uid-remapped";
  }
  return "changed";
}

void DeidChanges::add(const DcmTagKey& tag, DeidChange change) {
  ++counts[{tagKey(tag), change}];
}

void DeidChanges::merge(const DeidChanges& other) {
  for (const auto& [k, count] : other.counts) {
    counts[k] += count;
  }
  privateRemoved += other.privateRemoved;
  overlayCurveRemoved += other.overlayCurveRemoved;
  warnings.insert(warnings.end(), other.warnings.begin(), other.warnings.end());
}

void deidentifyDataset(DcmDataset& dataset, const DeidSettings& settings, DeidChanges& changes) {
  collectWarnings(dataset, changes);
  Cleaner(settings, changes).cleanItem(dataset);
  markDeidentified(dataset, settings);
}

void deidentifyMetaInfo(DcmMetaInfo& meta, const DeidSettings& settings, DeidChanges& changes) {
  // Source, Sending and Receiving Application Entity Title (0002,0016..0018) name the sending
  // station, like Station AE Title (0008,0055, X); private information (0002,0100/0102) is
  // private.
  const DcmTagKey dropped[] = {
      {0x0002, 0x0016}, {0x0002, 0x0017}, {0x0002, 0x0018}, {0x0002, 0x0100}, {0x0002, 0x0102}};
  for (const DcmTagKey& tag : dropped) {
    if (DcmElement* e = meta.remove(tag)) {
      delete e;
      changes.add(tag, DeidChange::Removed);
    }
  }
  DcmElement* instance = nullptr;
  if (meta.findAndGetElement(DCM_MediaStorageSOPInstanceUID, instance).good() &&
      instance != nullptr) {
    Cleaner(settings, changes).remapUids(meta, *instance);
  }
}

} // namespace beamlet::dicom::detail
