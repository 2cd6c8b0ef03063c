#include "plan/detail/instance.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "plan/detail/format.hpp"
#include "tessera/plan/evaluate_plan.hpp"

namespace tessera::plan::detail {

namespace {

void check_size(std::vector<std::string>& problems, const char* name, std::size_t size,
                std::size_t expected) {
  if (size != expected) {
    problems.push_back(std::string(name) + " has " + std::to_string(size) + " entries, expected " +
                       std::to_string(expected));
  }
}

/// Reports the first offending entry of `values` (the count of others too).
template <typename Bad>
void check_values(std::vector<std::string>& problems, const char* name,
                  const std::vector<double>& values, const char* rule, Bad bad) {
  std::size_t first = values.size();
  std::size_t n = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (bad(i, values[i])) {
      if (n == 0) first = i;
      ++n;
    }
  }
  if (n > 0) {
    problems.push_back(std::string(name) + "[" + std::to_string(first) +
                       "] = " + std::to_string(values[first]) + " must be " + rule +
                       (n > 1 ? " (" + std::to_string(n - 1) + " more entries too)" : ""));
  }
}

bool same_row(const cost::CostTable& t, const std::vector<double>& v, std::int32_t a,
              std::int32_t b) {
  const auto l = static_cast<std::size_t>(t.num_layers);
  return std::equal(v.begin() + static_cast<std::ptrdiff_t>(a * l),
                    v.begin() + static_cast<std::ptrdiff_t>((a + 1) * l),
                    v.begin() + static_cast<std::ptrdiff_t>(b * l));
}

bool same_link(const cost::CostTable& t, std::int32_t f1, std::int32_t t1, std::int32_t f2,
               std::int32_t t2) {
  const std::size_t i = t.link_at(f1, t1);
  const std::size_t j = t.link_at(f2, t2);
  return t.link_latency_s[i] == t.link_latency_s[j] &&
         t.link_bandwidth_bytes_per_s[i] == t.link_bandwidth_bytes_per_s[j] &&
         t.link_energy_j_per_byte[i] == t.link_energy_j_per_byte[j];
}

/// Swapping a and r maps every link onto one with identical parameters. With a common
/// representative this makes a whole class interchangeable: every intra-class link is equal
/// and every member sees every other endpoint identically.
bool interchangeable(const cost::CostTable& t, std::int32_t a, std::int32_t r) {
  const auto du = static_cast<std::size_t>(a);
  const auto ru = static_cast<std::size_t>(r);
  if (!same_row(t, t.time_s, a, r) || !same_row(t, t.energy_j, a, r) ||
      !same_row(t, t.memory, a, r) || !same_row(t, t.workspace_bytes, a, r) ||
      t.capacity[du] != t.capacity[ru] || t.unit(a) != t.unit(r) ||
      t.static_power_w[du] != t.static_power_w[ru] || t.buffer_scale(a) != t.buffer_scale(r) ||
      t.pipelined(a) != t.pipelined(r)) {
    return false;
  }
  for (std::int32_t x = 0; x <= t.num_devices; ++x) {
    if (x == a || x == r) continue;
    if (!same_link(t, a, x, r, x) || !same_link(t, x, a, x, r)) return false;
  }
  return same_link(t, a, r, r, a);
}

}  // namespace

std::string check_table(const cost::CostTable& t) {
  std::vector<std::string> problems;
  if (t.num_layers < 0) problems.push_back("num_layers is negative");
  if (t.num_devices < 0) problems.push_back("num_devices is negative");
  if (t.microbatch < 1) problems.push_back("microbatch must be at least 1");
  if (!problems.empty()) return format_lines(problems);
  const auto l = static_cast<std::size_t>(t.num_layers);
  const auto d = static_cast<std::size_t>(t.num_devices);
  const std::size_t e = (d + 1) * (d + 1);
  check_size(problems, "layer_names", t.layer_names.size(), l);
  check_size(problems, "device_names", t.device_names.size(), d);
  check_size(problems, "time_s", t.time_s.size(), d * l);
  check_size(problems, "energy_j", t.energy_j.size(), d * l);
  check_size(problems, "memory", t.memory.size(), d * l);
  check_size(problems, "workspace_bytes", t.workspace_bytes.size(), d * l);
  check_size(problems, "capacity", t.capacity.size(), d);
  check_size(problems, "static_power_w", t.static_power_w.size(), d);
  if (!t.activation_buffer_scale.empty()) {
    check_size(problems, "activation_buffer_scale", t.activation_buffer_scale.size(), d);
  }
  if (!t.capacity_unit.empty()) check_size(problems, "capacity_unit", t.capacity_unit.size(), d);
  if (!t.pipelined_layers.empty()) {
    check_size(problems, "pipelined_layers", t.pipelined_layers.size(), d);
  }
  check_size(problems, "cut_bytes", t.cut_bytes.size(), l + 1);
  check_size(problems, "link_latency_s", t.link_latency_s.size(), e);
  check_size(problems, "link_bandwidth_bytes_per_s", t.link_bandwidth_bytes_per_s.size(), e);
  check_size(problems, "link_energy_j_per_byte", t.link_energy_j_per_byte.size(), e);
  if (!problems.empty()) return format_lines(problems);

  const auto finite_nonneg = [](std::size_t, double x) { return !(x >= 0.0 && std::isfinite(x)); };
  check_values(problems, "time_s", t.time_s, "non-negative (or +inf)",
               [](std::size_t, double x) { return !(x >= 0.0); });
  check_values(problems, "energy_j", t.energy_j, "finite and non-negative where time_s is finite",
               [&](std::size_t i, double x) {
                 return std::isfinite(t.time_s[i]) && !(x >= 0.0 && std::isfinite(x));
               });
  check_values(problems, "memory", t.memory, "finite and non-negative", finite_nonneg);
  check_values(problems, "workspace_bytes", t.workspace_bytes, "finite and non-negative",
               finite_nonneg);
  check_values(problems, "capacity", t.capacity, "non-negative",
               [](std::size_t, double x) { return !(x >= 0.0); });
  check_values(problems, "static_power_w", t.static_power_w, "finite and non-negative",
               finite_nonneg);
  check_values(problems, "cut_bytes", t.cut_bytes, "finite and non-negative", finite_nonneg);
  check_values(problems, "activation_buffer_scale", t.activation_buffer_scale,
               "finite and non-negative", finite_nonneg);
  check_values(problems, "link_latency_s", t.link_latency_s, "finite and non-negative",
               finite_nonneg);
  check_values(problems, "link_bandwidth_bytes_per_s", t.link_bandwidth_bytes_per_s, "non-negative",
               [](std::size_t, double x) { return !(x >= 0.0); });
  check_values(problems, "link_energy_j_per_byte", t.link_energy_j_per_byte,
               "finite and non-negative", finite_nonneg);
  // Activations are bytes: they count against a capacity in bytes only.
  for (std::int32_t dev = 0; dev < t.num_devices; ++dev) {
    if (t.unit(dev) == kBytesUnit) continue;
    bool workspace = false;
    for (std::int32_t layer = 0; layer < t.num_layers; ++layer)
      workspace = workspace || t.workspace_bytes[t.at(dev, layer)] != 0.0;
    if (t.buffer_scale(dev) != 0.0 || workspace) {
      problems.push_back("device '" + t.device_names[static_cast<std::size_t>(dev)] +
                         "' counts its capacity in " + std::string(t.unit(dev)) +
                         ": its activation_buffer_scale and workspace_bytes must be 0 (activations "
                         "are bytes)");
    }
  }
  for (std::size_t i = 0; i < t.pipelined_layers.size(); ++i) {
    if (t.pipelined_layers[i] > 1) {
      problems.push_back("pipelined_layers[" + std::to_string(i) +
                         "] = " + std::to_string(t.pipelined_layers[i]) + " must be 0 or 1");
      break;
    }
  }
  if (!(t.input_buffers >= 0.0 && std::isfinite(t.input_buffers))) {
    problems.push_back("input_buffers must be finite and non-negative");
  }
  if (!(t.output_buffers >= 0.0 && std::isfinite(t.output_buffers))) {
    problems.push_back("output_buffers must be finite and non-negative");
  }
  if (!std::isfinite(t.first_stage_input_buffers)) {
    problems.push_back("first_stage_input_buffers must be finite");
  }
  return format_lines(problems);
}

std::int64_t state_vectors(const Instance& instance) {
  std::int64_t n = 1;
  for (const std::int32_t c : instance.count) {
    if (n > (std::int64_t{1} << 50) / (c + 1)) return INT64_MAX;
    n *= c + 1;
  }
  return n;
}

Instance build_instance(const cost::CostTable& t, const PlanOptions& options) {
  Instance in;
  in.table = &t;
  in.layers = t.num_layers;
  in.overlap = options.overlap;
  in.io = options.include_source_sink;
  const std::int32_t num_layers = t.num_layers;
  const std::int32_t num_devices = t.num_devices;
  const std::int32_t source = t.source_endpoint();
  in.words = (num_layers + 1 + 63) / 64;

  // Classes of interchangeable devices, in order of their smallest member.
  in.class_of.assign(static_cast<std::size_t>(num_devices), -1);
  for (std::int32_t d = 0; d < num_devices; ++d) {
    for (std::size_t k = 0; k < in.members.size(); ++k) {
      if (interchangeable(t, d, in.members[k].front())) {
        in.members[k].push_back(d);
        in.class_of[static_cast<std::size_t>(d)] = static_cast<std::int32_t>(k);
        break;
      }
    }
    if (in.class_of[static_cast<std::size_t>(d)] < 0) {
      in.class_of[static_cast<std::size_t>(d)] = static_cast<std::int32_t>(in.members.size());
      in.members.push_back({d});
    }
  }
  const auto classes = static_cast<std::int32_t>(in.members.size());
  in.classes = classes;
  for (const auto& m : in.members) in.count.push_back(static_cast<std::int32_t>(m.size()));
  in.vectors = state_vectors(in);
  std::int64_t stride = 1;
  for (std::int32_t k = 0; k < classes; ++k) {
    in.stride.push_back(stride);
    if (in.vectors != INT64_MAX) stride *= in.count[static_cast<std::size_t>(k)] + 1;
  }

  const auto positions = static_cast<std::size_t>(num_layers + 1);
  const auto kc = static_cast<std::size_t>(classes);
  in.time_prefix.assign(kc * positions, 0.0L);
  in.energy_prefix.assign(kc * positions, 0.0L);
  in.last_inf.assign(kc * positions, -1);
  in.static_w.resize(kc);
  for (std::int32_t k = 0; k < classes; ++k) {
    const std::int32_t r = in.members[static_cast<std::size_t>(k)].front();
    in.static_w[static_cast<std::size_t>(k)] = t.static_power_w[static_cast<std::size_t>(r)];
    long double tp = 0.0L;
    long double ep = 0.0L;
    std::int32_t last = -1;
    for (std::int32_t l = 0; l < num_layers; ++l) {
      const double time = t.time_s[t.at(r, l)];
      if (std::isinf(time)) {
        last = l;
      } else {
        tp += time;
        ep += t.energy_j[t.at(r, l)];
      }
      in.time_prefix[in.at(k, l + 1)] = tp;
      in.energy_prefix[in.at(k, l + 1)] = ep;
      in.last_inf[in.at(k, l + 1)] = last;
    }
  }

  // Range-max sparse tables for the classes whose layers run as an internal pipeline.
  const auto lu = static_cast<std::size_t>(num_layers);
  const auto levels =
      static_cast<std::size_t>(std::bit_width(static_cast<std::uint32_t>(num_layers)));
  in.pipelined.assign(kc, 0);
  in.max_offset.assign(kc, -1);
  for (std::int32_t k = 0; k < classes; ++k) {
    const std::int32_t r = in.members[static_cast<std::size_t>(k)].front();
    if (!t.pipelined(r)) continue;
    in.pipelined[static_cast<std::size_t>(k)] = 1;
    const std::size_t base = in.time_max.size();
    in.max_offset[static_cast<std::size_t>(k)] = static_cast<std::int64_t>(base);
    in.time_max.resize(base + levels * lu, 0.0);
    for (std::int32_t l = 0; l < num_layers; ++l) {
      in.time_max[base + static_cast<std::size_t>(l)] = t.time_s[t.at(r, l)];
    }
    for (std::size_t j = 1; j < levels; ++j) {
      const std::size_t half = std::size_t{1} << (j - 1);
      for (std::size_t l = 0; l + 2 * half <= lu; ++l) {
        in.time_max[base + j * lu + l] = std::max(in.time_max[base + (j - 1) * lu + l],
                                                  in.time_max[base + (j - 1) * lu + l + half]);
      }
    }
  }

  // Memory fit of every stage [p, q): the same expression, in the same order, as
  // evaluate_plan, so a stage fits here exactly when it fits there.
  const auto words = static_cast<std::size_t>(in.words);
  in.mem_end.assign(kc * static_cast<std::size_t>(num_layers) * words, 0);
  in.mem_all.assign(kc * static_cast<std::size_t>(num_layers), 0);
  in.mem_any.assign(kc * static_cast<std::size_t>(num_layers), 0);
  for (std::int32_t k = 0; k < classes; ++k) {
    const std::int32_t r = in.members[static_cast<std::size_t>(k)].front();
    const double capacity = t.capacity[static_cast<std::size_t>(r)];
    for (std::int32_t p = 0; p < num_layers; ++p) {
      const double in_buffers = (p == 0 && t.first_stage_input_buffers >= 0.0)
                                    ? t.first_stage_input_buffers
                                    : t.input_buffers;
      const double scale = t.buffer_scale(r);
      // a lower bound on the buffer term below (floating products and sums are monotone)
      const double in_bytes = scale * (in_buffers * t.cut_bytes[static_cast<std::size_t>(p)]);
      std::uint64_t* row = in.mem_end.data() + in.kp(k, p) * words;
      double memory = 0.0;
      double workspace = 0.0;
      std::int32_t all = p;
      std::int32_t any = p;
      bool contiguous = true;
      for (std::int32_t q = p + 1; q <= num_layers; ++q) {
        const std::size_t a = t.at(r, q - 1);
        memory += t.memory[a];
        workspace = std::max(workspace, t.workspace_bytes[a]);
        if (!(memory + workspace + in_bytes <= capacity)) break;  // only grows with q
        const double need = memory + workspace +
                            scale * (in_buffers * t.cut_bytes[static_cast<std::size_t>(p)] +
                                     t.output_buffers * t.cut_bytes[static_cast<std::size_t>(q)]);
        if (need <= capacity) {
          row[q >> 6] |= std::uint64_t{1} << (q & 63);
          any = q;
          if (contiguous) all = q;
        } else {
          contiguous = false;
        }
      }
      in.mem_all[in.kp(k, p)] = all;
      in.mem_any[in.kp(k, p)] = any;
    }
  }

  in.mem_start.assign(kc * positions * words, 0);
  in.start_all.assign(kc * positions, 0);
  for (std::int32_t k = 0; k < classes; ++k) {
    for (std::int32_t p = 0; p < num_layers; ++p) {
      const std::uint64_t* row = in.mem_row(k, p);
      for (std::int32_t w = 0; w < in.words; ++w) {
        std::uint64_t x = row[w];
        while (x != 0) {
          const std::int32_t q = (w << 6) + std::countr_zero(x);
          x &= x - 1;
          in.mem_start[in.at(k, q) * words + static_cast<std::size_t>(p >> 6)] |= std::uint64_t{1}
                                                                                  << (p & 63);
        }
      }
    }
    for (std::int32_t q = 0; q <= num_layers; ++q) {
      const std::uint64_t* row = in.start_row(k, q);
      std::int32_t p = q;
      while (p > 0 && ((row[(p - 1) >> 6] >> ((p - 1) & 63)) & 1U) != 0) --p;
      in.start_all[in.at(k, q)] = p;
    }
  }

  // Transfers between classes. Within a class every pair of members has the same link.
  in.send_s.assign(kc * kc * positions, kInf);
  in.send_j.assign(kc * kc * positions, kInf);
  in.src_s.assign(kc, 0.0);
  in.src_j.assign(kc, 0.0);
  in.sink_s.assign(kc, 0.0);
  in.sink_j.assign(kc, 0.0);
  for (std::int32_t k = 0; k < classes; ++k) {
    const auto& mk = in.members[static_cast<std::size_t>(k)];
    for (std::int32_t f = 0; f < classes; ++f) {
      const auto& mf = in.members[static_cast<std::size_t>(f)];
      std::int32_t from = mk.front();
      std::int32_t to = mf.front();
      if (k == f) {
        if (mk.size() < 2) continue;
        to = mk[1];
      }
      for (std::int32_t q = 0; q <= num_layers; ++q) {
        in.send_s[in.link(k, f, q)] = t.transfer_s(q, from, to);
        in.send_j[in.link(k, f, q)] = t.transfer_j(q, from, to);
      }
    }
    if (in.io) {
      const std::int32_t r = mk.front();
      in.src_s[static_cast<std::size_t>(k)] = t.transfer_s(0, source, r);
      in.src_j[static_cast<std::size_t>(k)] = t.transfer_j(0, source, r);
      in.sink_s[static_cast<std::size_t>(k)] = t.transfer_s(num_layers, r, source);
      in.sink_j[static_cast<std::size_t>(k)] = t.transfer_j(num_layers, r, source);
    }
  }
  return in;
}

}  // namespace tessera::plan::detail
