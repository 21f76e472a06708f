// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.collateral.EmulatedService;
import dev.guestattest.core.collateral.ServedDocument;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.snp.abi.TcbVersion;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * AMD's Key Distribution Service (formats.md §2.6) for the emulated chip: its VCEK for any TCB,
 * the ASK/ASVK chains and the ARK's CRL, at KDS's paths. The CRL is issued once, revoking nothing,
 * so every fetch returns the same bytes, as KDS's does until its nextUpdate.
 */
public final class EmulatedKds implements EmulatedService {
    private static final String VCEK = "/vcek/v1/";
    private static final String VLEK = "/vlek/v1/";
    private static final String[] SPLS = {"blSPL", "teeSPL", "snpSPL", "ucodeSPL"};
    private static final Pattern HWID = Pattern.compile("[0-9a-fA-F]{128}");
    private static final Pattern SPL = Pattern.compile("[0-9]{1,3}");

    private final EmulatedSnpPlatform chip;
    private final Clock clock;
    private final byte[] crl;

    public EmulatedKds(EmulatedSnpPlatform chip, Clock clock, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw AttestationException.invalid("CRL validity", "must be positive, got " + validity);
        }
        this.chip = chip;
        this.clock = clock;
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // the chip keeps the ARK's key beside its certificate (EmulatedSnpPlatform.create)
        this.crl = AmdCertificates.crl(chip.arkCertificate(), PemFiles.readPrivateKey(chip.directory().resolve("ark.key"), "RSA"), now, now.plus(validity));
    }

    /** The ARK's CRL as served (DER). */
    public byte[] crl() {
        return crl.clone();
    }

    @Override
    public String description() {
        return "AMD KDS for the emulated SNP chip (" + AmdCertificates.PRODUCT + ", hwid " + chip.chipId().hex().substring(0, 16) + "...): "
                + VCEK + AmdCertificates.PRODUCT + "/, " + VLEK + AmdCertificates.PRODUCT + "/";
    }

    @Override
    public Optional<ServedDocument> get(String path, Map<String, String> query) {
        boolean vlek = path.startsWith(VLEK);
        if (!vlek && !path.startsWith(VCEK)) {
            return Optional.empty();
        }
        String[] parts = path.substring(VCEK.length()).split("/", -1); // {product, what}
        if (parts.length != 2) {
            return Optional.of(ServedDocument.notFound("no such KDS path: " + path));
        }
        if (!parts[0].equals(AmdCertificates.PRODUCT)) {
            return Optional.of(ServedDocument.notFound("no " + parts[0] + " here: the emulated chip is a " + AmdCertificates.PRODUCT));
        }
        return Optional.of(switch (parts[1]) {
            case "cert_chain" -> ServedDocument.ok(Map.of("Content-Type", "application/x-pem-file"),
                    (pem(vlek ? chip.asvkCertificate() : chip.askCertificate()) + pem(chip.arkCertificate())).getBytes(StandardCharsets.US_ASCII));
            case "crl" -> ServedDocument.ok(Map.of("Content-Type", "application/pkix-crl"), crl);
            default -> vlek ? ServedDocument.notFound("VLEK certificates come from the cloud provider, not KDS") : vcek(parts[1], query);
        });
    }

    private ServedDocument vcek(String hwid, Map<String, String> query) {
        if (!HWID.matcher(hwid).matches()) {
            return ServedDocument.badRequest("the hwid must be the 64-byte chip ID in hex, got '" + hwid + "'");
        }
        if (!hwid.equalsIgnoreCase(chip.chipId().hex())) {
            return ServedDocument.notFound("no chip with hwid " + hwid);
        }
        int[] spl = new int[SPLS.length];
        for (int i = 0; i < SPLS.length; i++) {
            String v = query.get(SPLS[i]);
            if (v == null || !SPL.matcher(v).matches() || Integer.parseInt(v) > 255) {
                return ServedDocument.badRequest(SPLS[i] + " must be a decimal number 0..255, got " + (v == null ? "none" : "'" + v + "'"));
            }
            spl[i] = Integer.parseInt(v);
        }
        TcbVersion tcb = TcbVersion.of(TcbVersion.Layout.MILAN_GENOA, new TcbVersion.Parts(0, spl[0], spl[1], spl[2], spl[3]));
        try {
            return ServedDocument.ok(Map.of("Content-Type", "application/pkix-cert"),
                    chip.signingKey(tcb, false, clock).certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("the emulated VCEK cannot be encoded", e);
        }
    }

    private static String pem(X509Certificate c) {
        try {
            return Pem.encode("CERTIFICATE", c.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
