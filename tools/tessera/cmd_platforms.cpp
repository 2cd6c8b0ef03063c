#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "tessera/cost/kind_registry.hpp"
#include "tessera/io/platform_yaml.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::cli {

namespace {

void print_platform(const hw::Platform& p) {
  using A = report::TextTable::Align;
  std::cout << "platform " << p.name << ": " << p.description << "\n"
            << count_of(static_cast<std::int64_t>(p.devices.size()), "device") << ", "
            << count_of(static_cast<std::int64_t>(p.class_names.size()), "class", "classes")
            << ", topology " << hw::topology_name(p.topology) << ", source/sink '" << p.source_name
            << "'\n\n";
  report::TextTable table(
      {"device", "kind", "class", "capacity", "fp32 peak", "memory bw", "static", "link to source"},
      {A::kLeft, A::kLeft, A::kLeft, A::kRight, A::kRight, A::kRight, A::kRight, A::kRight});
  for (const auto& d : p.devices) {
    const auto fp32 = d.peak.find(DType::kFloat32);
    const auto& link = p.link(d.id.value(), p.source_endpoint());
    // The platform reader checked every device's kind: its capacity resource and unit.
    const cost::DeviceKind* kind = cost::KindRegistry::builtin().find(d.kind);
    const cost::Capacity capacity = kind ? kind->capacity(d) : cost::Capacity{};
    table.add_row(
        {d.name, d.kind, d.class_name, human_amount(capacity.amount, capacity.unit),
         fp32 == d.peak.end() ? "-" : human_count(fp32->second.value()) + "FLOP/s",
         d.memory_bandwidth.value() > 0.0 ? human_bytes(d.memory_bandwidth.value()) + "/s" : "-",
         std::to_string(d.static_power.value()).substr(0, 5) + " W",
         human_bytes(link.bandwidth.value()) + "/s, " + human_seconds(link.latency.value())});
  }
  std::cout << table.render();
}

}  // namespace

void register_platforms(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "platforms", "List the platform presets, or show and validate one platform (preset or YAML)");
  auto platform = std::make_shared<std::string>();
  cmd->add_option("PLATFORM", *platform, "a preset name or a platform YAML file to show");
  cmd->callback([platform, &exit_code] {
    if (!platform->empty()) {
      auto p = io::load_platform(*platform);
      if (!p.ok()) {
        exit_code = report_bad_input(p.diagnostics());
        return;
      }
      print_platform(p.value());
      exit_code = kOk;
      return;
    }
    using A = report::TextTable::Align;
    report::TextTable table({"preset", "devices", "description"}, {A::kLeft, A::kRight, A::kLeft});
    for (const auto& p : io::list_presets())
      table.add_row({p.name, p.diagnostics.empty() ? std::to_string(p.device_count) : "invalid",
                     p.description});
    std::cout << table.render();
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
