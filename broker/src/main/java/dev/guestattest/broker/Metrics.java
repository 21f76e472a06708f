// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import dev.guestattest.verify.ar4si.Tier;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The broker's Prometheus metrics, in the names and labels Trustee's KBS users look for (by endpoint,
 * TEE and outcome): the decisions' events, and what the HTTP layer counts itself.
 */
public final class Metrics implements BrokerEvents {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("guestattest_broker_http_requests").help("HTTP requests by endpoint and status")
            .labelNames("endpoint", "status").register(registry);
    private final Counter auths = Counter.builder().name("guestattest_broker_auth").help("RCAR sessions opened, by TEE").labelNames("tee")
            .register(registry);
    private final Counter attestations = Counter.builder().name("guestattest_broker_attestations").help("Attestations by TEE and appraisal status")
            .labelNames("tee", "status").register(registry);
    private final Counter releases = Counter.builder().name("guestattest_broker_resource_releases")
            .help("Resource requests by outcome (released, forbidden, absent, unauthenticated)").labelNames("outcome").register(registry);
    private final Histogram attestSeconds = Histogram.builder().name("guestattest_broker_attest_duration_seconds")
            .help("Time to appraise evidence and issue a token").classicOnly()
            .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5).register(registry);
    private final Counter unaudited = Counter.builder().name("guestattest_broker_unaudited_refusals")
            .help("429s past the first a minute per client, counted here instead of audited one by one").labelNames("endpoint").register(registry);
    private final Counter connectionsRefused = Counter.builder().name("guestattest_broker_connections_refused")
            .help("Connections closed on accept: their client already held as many as it may").register(registry);

    @Override
    public void sessionOpened(String tee) {
        auths.labelValues(tee).inc();
    }

    @Override
    public void appraised(String tee, Tier status) {
        attestations.labelValues(tee, status.earName()).inc();
    }

    @Override
    public void attested(double seconds) {
        attestSeconds.observe(seconds);
    }

    @Override
    public void release(String outcome) {
        releases.labelValues(outcome).inc();
    }

    @Override
    public void unauditedRefusal(String endpoint) {
        unaudited.labelValues(endpoint).inc();
    }

    public void countRequest(String endpoint, int status) {
        requests.labelValues(endpoint, Integer.toString(status)).inc();
    }

    public void countRefusedConnection() {
        connectionsRefused.inc();
    }

    /** The collateral service's counts: fetches, cache hits, failures by cause, and the age of the oldest item held. */
    void collateral(java.util.function.Supplier<dev.guestattest.core.collateral.CollateralService.Stats> stats) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("guestattest_broker_collateral_fetches")
                .help("Collateral documents fetched from PCS/KDS").callback(cb -> cb.call(stats.get().fetches())).register(registry);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("guestattest_broker_collateral_cache_hits")
                .help("Collateral requests served from memory or the store").callback(cb -> cb.call(stats.get().hits())).register(registry);
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("guestattest_broker_collateral_failures")
                .help("Collateral fetches that failed, by cause").labelNames("cause")
                .callback(cb -> stats.get().failures().forEach((f, n) -> cb.call(n, f.label()))).register(registry);
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("guestattest_broker_collateral_oldest_item_age_seconds")
                .help("Age of the oldest collateral item held").callback(cb -> stats.get().oldestItemAge()
                        .ifPresent(d -> cb.call(d.toMillis() / 1000.0))).register(registry);
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
