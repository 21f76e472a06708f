// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** guest-attest doctor: being written (issue 21). */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Check this machine for each TEE as a support engineer would.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return Main.ENVIRONMENT;
    }
}
