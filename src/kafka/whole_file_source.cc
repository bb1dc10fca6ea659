// WholeFileSource: see whole_file_source.h.
#include "kafka/whole_file_source.h"

#include "input/decoding_source.h"
#include "stream/fd_reading.h"

namespace logan {
namespace {

class WholeFileSource final : public StreamSource {
 public:
  explicit WholeFileSource(std::string path) : path_(std::move(path)) {}
  const std::string& name() const override { return path_; }

  Status open() override {
    auto file = FileSource::open(path_);
    if (!file) return file.error();
    auto decoded = open_decoded(std::move(file.value()), path_);
    if (!decoded) return decoded.error();
    input_ = std::move(decoded.value());
    return Ok{};
  }

  // REQUIRES: open() succeeded.
  Status run(SourceContext& ctx) override {
    LineAssembler assembler;
    use_context_batches(assembler, ctx);
    InputId input = ctx.new_input(path_);
    while (!ctx.stopping()) {
      auto [buf, cap] = assembler.buffer();
      auto n = input_->read(buf, cap);
      if (!n || *n == 0) {
        assembler.commit(0);
        emit_lines(ctx, assembler.finish(), input);
        if (!n) return n.error();
        return Ok{};
      }
      emit_lines(ctx, assembler.commit(*n), input);
    }
    emit_lines(ctx, assembler.finish(), input);
    return Ok{};
  }

 private:
  std::string path_;
  std::unique_ptr<ByteSource> input_;
};

}  // namespace

std::unique_ptr<StreamSource> make_whole_file_source(std::string path) {
  return std::make_unique<WholeFileSource>(std::move(path));
}

}  // namespace logan
