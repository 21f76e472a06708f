// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.keys.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** docs/broker.md: a guest fetches a secret; guestattest-broker-client carries no server, database or logging binding. */
public final class BrokerClientExample {
    private BrokerClientExample() {
    }

    public static Secret fetch(URI brokerUrl, Tsm tsm) {
        KbsClient broker = new KbsClient(brokerUrl, Duration.ofSeconds(30));
        KbsClient.Attester tdx = reportData -> Evidence.of(tsm.report(ReportRequest.of(reportData.toArray())).outblob(), Map.of());
        Secret disk = broker.get("tdx", tdx, "prod/disk/root");  // RCAR: auth, attest with a fresh key, the secret wrapped to it
        return disk;
    }
}
