// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** guest-attest version: what --version prints, and with --json the runtime it runs on too. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version and build commit (--json: and the Java runtime).")
final class VersionCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print version, commit and runtime as JSON (schemas/version.schema.json)")
    boolean json;

    @Override
    public Integer call() {
        if (!json) {
            System.out.println(new BuildInfo().getVersion()[0]);
            return Main.OK;
        }
        Properties p = BuildInfo.properties();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("version", p.getProperty("version", "unknown"));
        n.put("commit", p.getProperty("commit", "unknown"));
        n.putObject("java").put("version", Runtime.version().toString()).put("vendor", System.getProperty("java.vendor", "unknown"))
                .put("home", System.getProperty("java.home", "unknown"));
        JsonOutput.print(n);
        return Main.OK;
    }
}
