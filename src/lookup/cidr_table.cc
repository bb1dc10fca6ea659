// Flattening nested prefixes into disjoint ranges; see cidr_table.h.
#include "lookup/cidr_table.h"

#include <algorithm>
#include <string>

namespace logan {
namespace {

std::string describe(const IpPrefix& p) {
  std::string text;
  if (p.address.v4) {
    auto a = static_cast<uint32_t>(p.address.bits);
    text = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int group = 7; group >= 0; --group) {
      auto v = static_cast<unsigned>((p.address.bits >> (group * 16)) & 0xffff);
      std::string g;
      for (int d = 3; d >= 0; --d) g += kHex[(v >> (d * 4)) & 15];
      g.erase(0, std::min(g.find_first_not_of('0'), g.size() - 1));
      text += g;
      if (group) text += ':';
    }
  }
  return text + "/" + std::to_string(p.length);
}

}  // namespace

template <typename Key>
void CidrTable::Ranges<Key>::build(std::vector<std::pair<IpPrefix, int32_t>>& prefixes) {
  constexpr int kBits = sizeof(Key) * 8;
  struct Net {
    Key first, last;
    int32_t row;
  };
  std::vector<Net> nets;
  nets.reserve(prefixes.size());
  for (const auto& [p, row] : prefixes) {
    const Key first = static_cast<Key>(p.address.bits);
    const Key host = p.length == 0 ? ~Key{0} : p.length == kBits ? Key{0} : (Key{1} << (kBits - p.length)) - 1;
    nets.push_back({first, static_cast<Key>(first | host), row});
  }
  // Outer networks before the ones they contain: by first address, then widest first.
  std::sort(nets.begin(), nets.end(), [](const Net& a, const Net& b) {
    return a.first != b.first ? a.first < b.first : a.last > b.last;
  });
  starts.assign(1, Key{0});
  rows.assign(1, kNoRow);
  // Starts a range at `at`; one already starting there is overridden (a longer prefix).
  auto open = [&](Key at, int32_t row) {
    if (starts.back() == at) {
      rows.back() = row;
    } else if (rows.back() != row) {
      starts.push_back(at);
      rows.push_back(row);
    }
  };
  std::vector<const Net*> enclosing;  // the networks containing the current address, outermost first
  // Closes every enclosing network that ends before `next`, handing the addresses after each
  // back to the network around it.
  auto close_before = [&](Key next, bool all) {
    while (!enclosing.empty() && (all || enclosing.back()->last < next)) {
      const Net* done = enclosing.back();
      enclosing.pop_back();
      if (done->last == ~Key{0}) continue;  // nothing after the end of the address space
      open(static_cast<Key>(done->last + 1), enclosing.empty() ? kNoRow : enclosing.back()->row);
    }
  };
  for (const Net& net : nets) {
    close_before(net.first, false);
    open(net.first, net.row);
    enclosing.push_back(&net);
  }
  close_before(Key{0}, true);

  by_top16.resize(65537);
  size_t range = 0;
  for (size_t top = 0; top < 65536; ++top) {
    const Key address = static_cast<Key>(static_cast<Key>(top) << kShift);
    while (range + 1 < starts.size() && starts[range + 1] <= address) ++range;
    by_top16[top] = static_cast<uint32_t>(range);
  }
  by_top16[65536] = static_cast<uint32_t>(starts.size() - 1);
}

Result<CidrTable> CidrTable::build(std::vector<std::pair<IpPrefix, int32_t>> prefixes) {
  std::vector<std::pair<IpPrefix, int32_t>> v4, v6;
  for (auto& p : prefixes) (p.first.address.v4 ? v4 : v6).push_back(p);
  for (auto* family : {&v4, &v6}) {
    std::sort(family->begin(), family->end(), [](const auto& a, const auto& b) {
      return a.first.address.bits != b.first.address.bits ? a.first.address.bits < b.first.address.bits
                                                          : a.first.length < b.first.length;
    });
    for (size_t i = 1; i < family->size(); ++i) {
      const IpPrefix& a = (*family)[i - 1].first;
      const IpPrefix& b = (*family)[i].first;
      if (a.address.bits == b.address.bits && a.length == b.length) {
        return Error{"network " + describe(a) + " is listed twice"};
      }
    }
  }
  CidrTable table;
  Ranges<uint32_t> v4_ranges;
  v4_ranges.build(v4);
  table.v4_ = Ipv4RangeMap::build(v4_ranges.starts, v4_ranges.rows);
  table.v6_.build(v6);
  return table;
}

}  // namespace logan
