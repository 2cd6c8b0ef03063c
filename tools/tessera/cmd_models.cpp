#include <iostream>

#include "cli.hpp"
#include "commands.hpp"
#include "tessera/graph/zoo.hpp"
#include "tessera/report/text_table.hpp"

namespace tessera::cli {

void register_models(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("models", "List the built-in model zoo");
  cmd->callback([&exit_code] {
    using A = report::TextTable::Align;
    report::TextTable table({"model", "description"}, {A::kLeft, A::kLeft});
    for (const auto& m : graph::zoo_models()) table.add_row({m.name, m.description});
    std::cout << table.render();
    exit_code = kOk;
  });
}

}  // namespace tessera::cli
