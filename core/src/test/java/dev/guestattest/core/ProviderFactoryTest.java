// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.testing.FakeProvider;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderFactoryTest {
    private final ProviderContext context = ProviderContext.defaults().withStateDir(Path.of("/state"));

    @Test
    void aDeclaredProviderAnswersWithItsFunctions() {
        ProviderFactory f = ProviderFactory.of("test/fake", "a fake", true,
                c -> Availability.yes("state in " + c.stateDir()), c -> FakeProvider.tdxLike("test/fake"));
        assertThat(f.name()).isEqualTo("test/fake");
        assertThat(f.description()).isEqualTo("a fake");
        assertThat(f.emulated()).isTrue();
        assertThat(f.probe(context)).isEqualTo(Availability.yes("state in /state"));
        assertThat(f.create(context)).isNotSameAs(f.create(context)).isInstanceOf(FakeProvider.class);
    }

    @Test
    void aDeclarationNeedsEveryPart() {
        assertThatThrownBy(() -> ProviderFactory.of("test/x", "d", false, null, c -> null)).hasMessage("probe");
        assertThatThrownBy(() -> ProviderFactory.of(" ", "d", false, c -> Availability.yes(""), c -> null))
                .hasMessageContaining("name and description must not be blank");
    }

    @Test
    void selectionSortsByNameAndNeverPicksAnEmulator() {
        ProviderFactory real = ProviderFactory.of("b/real", "real", false, c -> Availability.no("absent here"), c -> null);
        ProviderFactory emulated = ProviderFactory.of("a/emulated", "emulated", true, c -> Availability.yes("always"), c -> null);
        Providers providers = new Providers(List.of(real, emulated));
        assertThat(providers.all()).containsExactly(emulated, real);
        assertThat(providers.byName("b/real")).isSameAs(real);
        assertThatThrownBy(() -> providers.automatic(context))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER))
                .hasMessageContaining("; b/real: absent here (emulated providers are used only when named");
    }
}
