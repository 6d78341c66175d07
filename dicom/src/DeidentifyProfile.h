#pragma once
// The Basic Application Level Confidentiality Profile's action per attribute (DICOM PS3.15 Annex E,
// Table E.1-1, 2024b edition) and which UIDs are instance UIDs to replace.

#include "DcmtkSupport.h"

#include <string>

namespace beamlet::dicom::detail {

/// The action codes of PS3.15 Table E.1-1 (E.1.1 "De-identifier"). Combined codes leave the choice
/// to the IOD's attribute type; see ProfileRule.
enum class DeidAction {
  Keep,              ///< not in the table: retained (K); sequences are still cleaned inside
  Remove,            ///< X
  Empty,             ///< Z: zero-length value
  Dummy,             ///< D: a non-zero dummy value consistent with the VR
  Uid,               ///< U: replaced by a new UID, the same for the same original in the set
  EmptyOrDummy,      ///< Z/D
  RemoveOrEmpty,     ///< X/Z
  RemoveOrDummy,     ///< X/D
  RemoveEmptyDummy,  ///< X/Z/D
  RemoveEmptyOrUids, ///< X/Z/U*: sequences of references (Referenced/Source Image Sequence)
};

/// An attribute's entry in Table E.1-1: the table's code and what Beamlet does for it. For a single
/// code they are the same; for a combined code (X/Z, X/D, Z/D, X/Z/D) `apply` is the choice made
/// for it in DeidentifyProfile.cpp (by the attribute's Type in the IODs Beamlet meets); for X/Z/U*
/// it stays RemoveEmptyOrUids: the sequence is kept and its items cleaned, their UIDs replaced, so
/// that image references still resolve.
struct ProfileRule {
  DeidAction code = DeidAction::Keep;
  DeidAction apply = DeidAction::Keep;
};

/// The rule for a standard (even group) attribute; Keep/Keep when the table does not list it.
/// Private attributes, overlays (60xx) and curves (50xx) are handled by the caller.
ProfileRule basicProfileRule(const DcmTagKey& tag);

/// The table's code for an action ("X", "Z/D", ...), for messages.
const char* actionCode(DeidAction action);

/// UI attributes that name a class or an encoding rather than an instance (SOP Class UID,
/// Transfer Syntax UID, Referenced SOP Class UID, Coding Scheme UID, ...): never replaced.
bool isClassUidTag(const DcmTagKey& tag);

/// A UID defined by the standard (1.2.840.10008.*) or known to DCMTK's UID dictionary (SOP
/// classes, transfer syntaxes, well-known frames of reference, coding schemes): never replaced.
bool isWellKnownUid(const std::string& uid);

} // namespace beamlet::dicom::detail
