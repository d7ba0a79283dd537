package io.jilium.cli;

import picocli.CommandLine.Command;

/** {@code jilium delete -f}: removes the resources a manifest names, all or nothing. */
@Command(
    name = "delete",
    description = "Delete the resources named in YAML or JSON manifests; all or nothing.")
final class DeleteCommand extends ApplyCommand {
  @Override
  boolean delete() {
    return true;
  }
}
