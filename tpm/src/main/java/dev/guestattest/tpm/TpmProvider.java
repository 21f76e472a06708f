// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.tpm.abi.PcrSelection;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A TPM as an evidence provider: the inblob is the quote's qualifying data; the outblob is
 * {@link TpmEvidence}. The attestation key is an ECC P-256 restricted signing primary key in the
 * owner hierarchy (the same key every time for a TPM), created per report and flushed after it.
 */
public final class TpmProvider implements ReportProvider {
    public static final InputRules INPUT = InputRules.exactly(64, false, false);

    private final String name;
    private final boolean emulated;
    private final Supplier<TpmTransport> connect;
    private final SortedSet<Integer> pcrs;

    public TpmProvider(String name, boolean emulated, Supplier<TpmTransport> connect, SortedSet<Integer> pcrs) {
        this.name = name;
        this.emulated = emulated;
        this.connect = connect;
        this.pcrs = new TreeSet<>(pcrs);
    }

    /** "0-7,14" style PCR lists. */
    public static SortedSet<Integer> parsePcrs(String text) {
        SortedSet<Integer> out = new TreeSet<>();
        for (String part : text.split(",")) {
            String[] range = part.strip().split("-");
            try {
                int from = Integer.parseInt(range[0].strip());
                int to = range.length > 1 ? Integer.parseInt(range[1].strip()) : from;
                for (int p = from; p <= to; p++) {
                    out.add(p);
                }
            } catch (NumberFormatException e) {
                throw AttestationException.invalid("tpm.pcrs", "'" + text + "' is not a list like 0-7,14");
            }
        }
        if (out.isEmpty() || out.first() < 0 || out.last() > 23) {
            throw AttestationException.invalid("tpm.pcrs", "'" + text + "' must name PCRs within 0..23");
        }
        return out;
    }

    /** The first EK certificate the TPM holds in TCG's NV indexes, if any. */
    private static java.util.Optional<Bytes> ekCertificate(Tpm tpm) {
        for (long index : Tpm2.EK_CERT_INDEXES) {
            java.util.Optional<Integer> size = tpm.nvSize(index);
            if (size.isPresent()) {
                return java.util.Optional.of(tpm.nvRead(index, size.get()));
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public java.util.Optional<dev.guestattest.core.mr.MeasurementRegisters> measurementRegisters() {
        return java.util.Optional.of(new TpmPcrRegisters(connect));
    }

    @Override
    public boolean emulated() {
        return emulated;
    }

    @Override
    public InputRules inputRules() {
        return INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        try (Tpm tpm = new Tpm(connect.get())) {
            tpm.startup();
            Tpm.Key ak = tpm.createPrimary(Tpm2.RH_OWNER, TpmPublic.eccAttestationKeyTemplate());
            try {
                PcrSelection selection = new PcrSelection(Tpm2.ALG_SHA256, pcrs);
                Tpm.Quoted q = tpm.quote(ak.handle(), request.inblob(), selection);
                Map<Integer, Bytes> values = tpm.pcrRead(selection);
                return ReportBlobs.of(new TpmEvidence(q.attest(), Bytes.of(q.signature().encode()), ak.publicArea().encoded(),
                        HashAlgorithm.SHA256, values, ekCertificate(tpm)).toJson());
            } finally {
                tpm.flush(ak.handle());
            }
        }
    }
}
