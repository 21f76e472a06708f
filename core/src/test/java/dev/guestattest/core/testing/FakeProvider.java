// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.testing;

import dev.guestattest.core.InputRules;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test provider whose evidence is "evidence:" + hex(inblob) + ":" + privlevel, that counts its
 * calls and can be held at a gate to create requests in flight.
 */
public class FakeProvider implements ReportProvider {
    private final String name;
    private final InputRules rules;
    private final int floor;
    public final AtomicInteger calls = new AtomicInteger();
    public final AtomicInteger concurrent = new AtomicInteger();
    public final AtomicInteger maxConcurrent = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    public final CountDownLatch entered = new CountDownLatch(1);

    public FakeProvider(String name, InputRules rules, int floor) {
        this.name = name;
        this.rules = rules;
        this.floor = floor;
    }

    public static FakeProvider tdxLike(String name) {
        return new FakeProvider(name, InputRules.exactly(64, false, false), 0);
    }

    /** Holds every call until {@link #open()}. */
    public FakeProvider closeGate() {
        gate = new CountDownLatch(1);
        return this;
    }

    public void open() {
        gate.countDown();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public int privlevelFloor() {
        return floor;
    }

    @Override
    public InputRules inputRules() {
        return rules;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        calls.incrementAndGet();
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        entered.countDown();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("gate never opened");
            }
            return ReportBlobs.of(("evidence:" + request.inblob().hex() + ":" + request.privlevel())
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            concurrent.decrementAndGet();
        }
    }
}
