// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a guest carries: none of the broker's server, store, logging binding or metrics is on this module's classpath. */
class ClasspathTest {
    @ParameterizedTest
    @ValueSource(strings = {"org.eclipse.jetty.server.Server", "org.h2.Driver", "org.postgresql.Driver", "com.zaxxer.hikari.HikariDataSource",
            "org.slf4j.Logger", "io.prometheus.metrics.core.metrics.Counter", "dev.guestattest.broker.Broker"})
    void theServersDependenciesAreNotHere(String className) {
        assertThatThrownBy(() -> Class.forName(className, false, getClass().getClassLoader())).isInstanceOf(ClassNotFoundException.class);
    }
}
