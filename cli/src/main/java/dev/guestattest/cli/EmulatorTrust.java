package dev.guestattest.cli;

import dev.guestattest.core.pki.Pem;
import dev.guestattest.broker.BrokerConfig;
import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.snp.emulator.EmulatedSnpPlatform;
import dev.guestattest.snp.emulator.SnpEmulatedProvider;
import dev.guestattest.tdx.emulator.EmulatedCollateral;
import dev.guestattest.tdx.emulator.TdxEmulatedProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The emulated TEEs' trust anchors, for a broker that should accept their evidence (demos, tests):
 * the TDX root, the SNP ARK chain, the CoVE DICE root, the CCA CPAK. And what the emulated "Intel
 * PCS" would serve a guest: collateral for the emulated TDX platform.
 */
final class EmulatorTrust {
    private EmulatorTrust() {
    }

    static BrokerConfig apply(ProviderContext ctx, BrokerConfig config) {
        BrokerConfig c = config;
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            c = c.withRoots("tdx", List.of(tdx.platform().rootCertificate()));
        }
        EmulatedSnpPlatform chip = SnpEmulatedProvider.open(ctx).chip();
        c = c.withRoots("snp", List.of(chip.arkCertificate(), chip.askCertificate(), chip.asvkCertificate()));
        c = c.withRoots("cove", List.of(EmulatedTsm.open(ctx).rootCertificate()));
        return c.withTrustedAux("cca", "cpak",
                Bytes.of(Pem.encode("PUBLIC KEY", EmulatedRealm.open(ctx).cpak().getEncoded()).getBytes(StandardCharsets.US_ASCII)));
    }

    static Bytes tdxCollateral(ProviderContext ctx) {
        try (TdxEmulatedProvider tdx = TdxEmulatedProvider.open(ctx)) {
            return Bytes.of(EmulatedCollateral.issue(tdx.platform(), ctx.clock().instant(), Duration.ofDays(1), false, ctx.random())
                    .toDcapQvlJson());
        }
    }
}
