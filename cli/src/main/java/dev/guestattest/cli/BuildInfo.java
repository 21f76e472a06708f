// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code guest-attest --version}: the version and the commit it was built from, as the build recorded them. */
final class BuildInfo implements IVersionProvider {
    static final String RESOURCE = "/dev/guestattest/cli/build.properties";

    @Override
    public String[] getVersion() {
        Properties p = properties();
        return new String[] {"guest-attest " + p.getProperty("version", "unknown") + " (commit " + p.getProperty("commit", "unknown") + ")"};
    }

    static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource is "unknown", as a missing one is
        }
        return p;
    }
}
