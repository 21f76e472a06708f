// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's own rules with a toy document ("fresh-until:<instant>", checked by its prefix): what
 * is kept, when it is fetched again, and how each failure is told.
 */
class CollateralServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    @TempDir
    Path cache;
    private final AtomicReference<ServedDocument> answer = new AtomicReference<>();
    private EmulatedServer server;

    /** A document that is good when it says "fresh-until:" and an instant. */
    private static final CollateralItem<Instant> ITEM = new CollateralItem<>() {
        @Override
        public String key() {
            return "toy/item";
        }

        @Override
        public String what() {
            return "toy item";
        }

        @Override
        public Optional<URI> location(Origins origins) {
            return origins.base(Origins.PCS).map(b -> Origins.resolve(b, "/toy"));
        }

        @Override
        public Checked<Instant> open(Document d) {
            String body = new String(d.body(), StandardCharsets.US_ASCII);
            if (!body.startsWith("fresh-until:")) {
                throw AttestationException.invalid("toy item", "is not signed");
            }
            Instant t = Instant.parse(body.substring("fresh-until:".length()));
            return new Checked<>(t, t);
        }
    };

    @BeforeEach
    void serve() {
        answer.set(ok(NOW.plus(Duration.ofDays(1))));
        EmulatedService toy = new EmulatedService() {
            @Override
            public String description() {
                return "toy";
            }

            @Override
            public Optional<ServedDocument> get(String path, Map<String, String> query) {
                return path.equals("/toy") ? Optional.of(answer.get()) : Optional.empty();
            }
        };
        server = EmulatedServer.start("127.0.0.1", 0, List.of(toy), EmulatedServer.Faults.none(), line -> { });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ServedDocument ok(Instant freshUntil) {
        return ServedDocument.ok(Map.of(), ("fresh-until:" + freshUntil).getBytes(StandardCharsets.US_ASCII));
    }

    private CollateralService service(Instant now, Duration grace) {
        return CollateralService.builder().origins(Origins.none().with(Origins.PCS, server.uri())).store(new DirectoryStore(cache))
                .clock(Clock.fixed(now, ZoneOffset.UTC)).timeout(Duration.ofSeconds(5)).retries(3, Duration.ofSeconds(3)).grace(grace).build();
    }

    @Test
    void aFreshCopyIsKeptAndServedUntilItsOwnDateThenWithinGraceSaidSoThenRefused() {
        assertThat(service(NOW, Duration.ZERO).get(ITEM).source()).startsWith("fetched ");
        assertThat(service(NOW.plus(Duration.ofHours(23)), Duration.ZERO).get(ITEM).source()).startsWith("cache (fetched ");
        assertThat(server.requests("/toy")).isEqualTo(1);
        server.close();
        Instant later = NOW.plus(Duration.ofHours(25));
        CollateralService.Collected<Instant> graced = service(later, Duration.ofHours(2)).get(ITEM);
        assertThat(graced.withinGrace()).isTrue();
        assertThatThrownBy(() -> service(later, Duration.ZERO).get(ITEM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_EXPIRED))
                .hasMessageContaining("is unreachable").hasMessageContaining("the cached copy went stale at " + NOW.plus(Duration.ofDays(1)));
    }

    @Test
    void aBadOrOversizedDocumentIsRefusedNotCachedAndRemembered() {
        answer.set(ServedDocument.ok(Map.of(), "forged".getBytes(StandardCharsets.US_ASCII)));
        CollateralService s = service(NOW, Duration.ZERO);
        assertThatThrownBy(() -> s.get(ITEM)).hasMessageContaining("was refused and not cached: toy item: is not signed");
        assertThat(cache.resolve("toy/item.json")).doesNotExist();
        answer.set(ok(NOW.plus(Duration.ofDays(1))));
        assertThatThrownBy(() -> s.get(ITEM)).hasMessageContaining("not asked again before " + NOW.plusSeconds(30));
        assertThat(s.stats().failures()).containsEntry(Failure.BAD_DOCUMENT, 1L);

        answer.set(ServedDocument.ok(Map.of(), new byte[Document.MAX_BODY + 1]));
        assertThatThrownBy(() -> service(NOW, Duration.ZERO).get(ITEM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_REJECTED))
                .hasMessageContaining("refused and not cached").hasMessageContaining("exceeds the limit of " + Document.MAX_BODY + " bytes");
    }

    @Test
    void eachFailureIsToldByItsCause() {
        answer.set(ServedDocument.notFound("No such platform"));
        assertThatThrownBy(() -> service(NOW, Duration.ZERO).get(ITEM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_NOT_FOUND))
                .hasMessageStartingWith(server.uri() + " has no toy item (HTTP 404: No such platform)");
        answer.set(new ServedDocument(500, Map.of(), new byte[0]));
        assertThatThrownBy(() -> service(NOW, Duration.ZERO).get(ITEM)).hasMessageContaining("answered HTTP 500 for the toy item");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1));
        answer.set(new ServedDocument(429, Map.of("Retry-After", date), new byte[0]));
        assertThatThrownBy(() -> service(NOW, Duration.ZERO).get(ITEM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BUSY))
                .hasMessageContaining("is throttling (HTTP 429) the toy item after 1 attempt(s); it asks to retry after 35");
        assertThatThrownBy(() -> CollateralService.builder().origins(Origins.none()).build().get(ITEM))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER))
                .hasMessage("the toy item is not at hand and no service to fetch it from is configured; no copy is cached");
    }
}
