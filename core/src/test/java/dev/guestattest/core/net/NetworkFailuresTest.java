// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class NetworkFailuresTest {
    @Test
    void aCauseIsItsFirstWordedExceptionAndAnUnresolvedNameSaysSo() {
        ConnectException bare = new ConnectException();
        bare.initCause(new ClosedChannelException());
        assertThat(NetworkFailures.describe(bare)).isEqualTo("ConnectException: the connection was refused or the host is unreachable");
        assertThat(NetworkFailures.describe(new IOException())).isEqualTo("IOException");
        ConnectException wrapped = new ConnectException();
        wrapped.initCause(new ConnectException("Connection refused"));
        assertThat(NetworkFailures.describe(wrapped)).isEqualTo("ConnectException: Connection refused");
        ConnectException unresolved = new ConnectException();
        unresolved.initCause(new UnresolvedAddressException());
        assertThat(NetworkFailures.describe(unresolved)).isEqualTo("UnresolvedAddressException: the host name does not resolve");
        IOException reset = new IOException("Connection reset\nat line two");
        assertThat(NetworkFailures.describe(reset)).isEqualTo("IOException: Connection reset");
    }
}
