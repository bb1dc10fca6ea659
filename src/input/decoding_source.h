// Transparent decompression: open_decoded() looks at an input's first bytes and wraps it in a
// gzip, zstd or bzip2 decoder when they are that format's magic, whatever the file is called.
// Concatenated streams (`cat a.gz b.gz`) decode as one; a stream that ends early is an error
// naming the input, never a silent short read.
// Thread-safety: a source is read by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "input/byte_source.h"

namespace logan {

enum class Compression { kNone, kGzip, kZstd, kBzip2 };

// Recognises a compression format from (at least 4 of) the first bytes of an input.
Compression detect_compression(std::string_view head);
const char* compression_name(Compression c);

// Wraps `raw` (named `name` in errors) in the decoder its first bytes call for.
Result<std::unique_ptr<ByteSource>> open_decoded(std::unique_ptr<ByteSource> raw,
                                                 const std::string& name);

}  // namespace logan
