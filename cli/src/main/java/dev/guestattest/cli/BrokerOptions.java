// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.keys.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a command asks for a released secret and how it attests: an option group of secret get and
 * fscrypt (picocli has no mixins in groups). The broker is reached through the proxies the
 * environment names (HTTPS_PROXY, NO_PROXY, ...), as every client of a broker is.
 */
final class BrokerOptions {
    @Option(names = "--broker", paramLabel = "URL", required = true, description = "The key broker, e.g. http://127.0.0.1:8080")
    URI broker;

    @Option(names = "--broker-ca", paramLabel = "PEM", description = "Trust these certificates for an https:// broker (default: the JDK's CAs)")
    Path brokerCa;

    @Option(names = "--init-data", paramLabel = "FILE", description = "The init-data (TOML) this guest was launched with, sent with"
            + " the evidence as a Confidential Containers attestation agent does; the broker checks its digest against the evidence")
    Path initData;

    @Option(names = "--provider", paramLabel = "P", description = "The evidence provider, e.g. tdx/emulated (default: this machine's TEE)")
    String provider;

    /**
     * Runs RCAR for the resource at {@code path}, attesting with the provider (the machine's TEE when
     * none is named) and {@code parts} sent along; the released secret.
     */
    Secret release(String path, ProviderContext ctx, Map<String, Bytes> parts, Duration timeout) {
        Optional<String> p = Optional.ofNullable(provider);
        String tee = SecretCommand.tee(p, ctx);
        KbsClient client = new KbsClient(List.of(broker), timeout,
                Optional.ofNullable(brokerCa).map(ca -> KbsClient.trusting(InputFiles.certificates("--broker-ca", ca))));
        Optional<String> init = Optional.empty();
        if (initData != null) {
            init = Optional.of(new String(InputFiles.read("--init-data", initData, dev.guestattest.verify.initdata.InitData.MAX_SIZE),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        KbsClient.Session session = client.attest(tee, SecretCommand.attester(p, ctx, tee, parts), init);
        try {
            return client.resource(session, path);
        } catch (dev.guestattest.core.AttestationException e) {
            if (e.reason() == dev.guestattest.core.Reason.KEY_NOT_FOUND) {
                // the path names nothing the broker holds: the caller's input (exit 2), not this machine's failure
                throw dev.guestattest.core.AttestationException.invalid("kbs:///" + path, "the broker " + broker + " has no such resource ("
                        + e.getMessage() + ")");
            }
            throw e;
        }
    }
}
