// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.codec.Bytes;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "s390", mixinStandardHelpOptions = true, description = "IBM Secure Execution: the verifier's side.",
        subcommands = {S390Command.Request.class})
final class S390Command {
    @Command(name = "request", mixinStandardHelpOptions = true,
            description = {"Make an attestation request (ARCB v1, as pvattest does) for one or more host keys, as the verifier:",
                    "the request goes to the guest (setting s390.arcb), the secret (measurement key and nonce) stays with you,",
                    "in a file readable by you only. Host key documents are taken as given: check them against IBM's signing",
                    "key and CRLs first (not done here)."})
    static final class Request implements Callable<Integer> {
        @Option(names = "--host-key", paramLabel = "PEM", required = true,
                description = "A host public key or host key document, PEM (repeatable; 'emulator root --tee s390' gives the emulator's)")
        java.util.List<Path> hostKeys;

        @Option(names = "--nonce-hex", paramLabel = "HEX", description = "16-byte nonce (default: a random one)")
        String nonce;

        @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the request; - for stdout")
        Path out;

        @Option(names = "--secret", paramLabel = "FILE", required = true, description = "Where to keep the measurement key and nonce")
        Path secret;

        @Override
        public Integer call() throws Exception {
            java.util.List<PublicKey> hosts = new java.util.ArrayList<>();
            for (Path hostKey : hostKeys) {
                hosts.addAll(dev.guestattest.s390.request.RequestKeys.hostKeys("--host-key " + hostKey, InputFiles.read("--host-key", hostKey, InputFiles.MAX_PEM)));
            }
            SecureRandom random = new SecureRandom();
            Bytes n;
            if (nonce != null) {
                n = Bytes.fromHex("--nonce-hex", nonce).checkLength("--nonce-hex", 16);
            } else {
                byte[] b = new byte[16];
                random.nextBytes(b);
                n = Bytes.of(b);
            }
            dev.guestattest.s390.request.AttestationRequest.Sealed r = dev.guestattest.s390.request.AttestationRequest.create(hosts, Optional.of(n), random);
            java.io.PrintStream summary = OutputFiles.summary(false, out, secret);
            OutputFiles.write("--out", out, r.arcb());
            byte[] keep = new byte[80];
            System.arraycopy(r.measurementKey(), 0, keep, 0, 64);
            n.copyTo(keep, 64);
            OutputFiles.write("--secret", secret, keep, true);
            java.util.Arrays.fill(keep, (byte) 0);
            summary.println("wrote the request to " + out + " and its secret to " + secret + " (mode 0600); nonce " + n.hex());
            return Main.OK;
        }
    }

    static String pem(PublicKey k) {
        return Pem.encode("PUBLIC KEY", k.getEncoded());
    }
}
