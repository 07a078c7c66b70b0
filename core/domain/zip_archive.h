// Recognising a zip archive without unpacking it: what an upload must look like to be stored as
// a website version.
//
// A zip archive starts with a local file header ("PK\3\4"), or, when it holds no file, with its
// end-of-central-directory record ("PK\5\6"); and it ends with that record: 22 bytes whose last
// two give the length of the comment that follows them (at most 65,535 bytes).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"

namespace ledger::domain {

// The tail a caller must pass: the last kZipTailBytes of the file (or all of it when shorter).
inline constexpr std::size_t kZipTailBytes = 22 + 65535;

// Ok when `head` (the first 4 bytes) and `tail` are those of a zip archive; invalid_argument
// naming "file" otherwise.
Status check_zip_archive(std::string_view head, std::string_view tail);

}  // namespace ledger::domain
