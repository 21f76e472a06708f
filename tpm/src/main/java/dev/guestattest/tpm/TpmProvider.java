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
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A TPM as an evidence provider: the inblob is the quote's qualifying data; the outblob is
 * {@link TpmEvidence}. Two forms, chosen by the {@code tpm.evidence} setting:
 * <ul>
 * <li>{@link Form#GUESTATTEST} (default): 64 bytes of qualifying data, an ECC P-256 restricted
 *     signing primary key in the owner hierarchy as the attestation key, the configured PCRs
 *     ({@code tpm.pcrs}, default 0-7) and the EK certificate when the TPM holds one;
 * <li>{@link Form#GUEST_COMPONENTS}: as guest-components' TPM attester quotes, which is what a
 *     Trustee reads (guest-components 8246e5e0 {@code attestation-agent/attester/src/tpm}): 32 bytes,
 *     an RSA-2048 RSASSA-SHA256 restricted signing primary key in the owner hierarchy, the SHA-256
 *     bank's PCRs 0..23, no EK certificate.
 * </ul>
 * A primary key is the same every time for a TPM (it is derived from the hierarchy's seed): it is
 * created per report and flushed after it. A persistent AK stays where it was provisioned.
 */
public final class TpmProvider implements ReportProvider {
    /** The form of the evidence: what the quote covers, with which key, for whom. */
    public enum Form {
        GUESTATTEST("guestattest", 64), GUEST_COMPONENTS("guest-components", 32);

        private final String label;
        private final int qualifyingData;

        Form(String label, int qualifyingData) {
            this.label = label;
            this.qualifyingData = qualifyingData;
        }

        /** The setting's value for this form. */
        public String label() {
            return label;
        }

        /** Parses a {@code tpm.evidence} setting. */
        public static Form parse(String text) {
            for (Form f : values()) {
                if (f.label.equals(text)) {
                    return f;
                }
            }
            throw AttestationException.invalid("tpm.evidence", "'" + text + "' is not guestattest or guest-components");
        }
    }

    private final String name;
    private final boolean emulated;
    private final Supplier<TpmTransport> connect;
    private final SortedSet<Integer> pcrs;
    private final Form form;
    private final Optional<Long> akHandle;

    /** guest-components' TPM attester's AK handle unless AA_TPM_AK_HANDLE says otherwise. */
    public static final long GUEST_COMPONENTS_AK_HANDLE = 0x81010002L;

    /** A provider in this project's form over {@code pcrs}. */
    public TpmProvider(String name, boolean emulated, Supplier<TpmTransport> connect, SortedSet<Integer> pcrs) {
        this(name, emulated, connect, pcrs, Form.GUESTATTEST, Optional.empty());
    }

    /**
     * A provider in {@code form}; guest-components' form quotes {@link PcrSelection#EVERY_PCR} and no other set,
     * with the persistent AK at {@code akHandle} when given (see {@link #persistentAk}).
     */
    public TpmProvider(String name, boolean emulated, Supplier<TpmTransport> connect, SortedSet<Integer> pcrs, Form form,
                       Optional<Long> akHandle) {
        if (form == Form.GUESTATTEST && akHandle.isPresent()) {
            throw AttestationException.invalid("tpm.ak-handle", "applies to tpm.evidence=guest-components; this project's form makes its own AK");
        }
        if (form == Form.GUEST_COMPONENTS && !pcrs.equals(PcrSelection.EVERY_PCR)) {
            throw AttestationException.invalid("tpm.pcrs", "guest-components' TPM evidence quotes the SHA-256 bank's PCRs 0..23, not " + pcrs);
        }
        this.name = name;
        this.emulated = emulated;
        this.connect = connect;
        this.pcrs = new TreeSet<>(pcrs);
        this.form = form;
        this.akHandle = akHandle;
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

    /**
     * guest-components' AK: the key at {@code akHandle} when one is configured (it must be there);
     * otherwise the one at the attester's default handle 0x81010002 if the TPM has it (provisioned as
     * its README says: {@code tpm2_createak -C 0x81010001 -G rsa -g sha256 -s rsassa} and {@code
     * tpm2_evictcontrol ... 0x81010002}), else none and an RSA primary key is made. It must be RSA:
     * the attester refuses others and Trustee reads only RSASSA quotes.
     */
    private Optional<Tpm.Key> persistentAk(Tpm tpm) {
        long handle = akHandle.orElse(GUEST_COMPONENTS_AK_HANDLE);
        TpmPublic area;
        try {
            area = tpm.readPublic(handle);
        } catch (AttestationException absent) {
            if (akHandle.isPresent()) {
                throw AttestationException.invalid("tpm.ak-handle", String.format("the TPM has no key at 0x%08x (%s); provision it"
                        + " as guest-components' README does (tpm2_createak, tpm2_evictcontrol)", handle, absent.getMessage()));
            }
            return Optional.empty();
        }
        if (!(area.key() instanceof java.security.interfaces.RSAPublicKey)) {
            throw AttestationException.invalid("tpm.ak-handle", String.format("the key at 0x%08x is not an RSA key, which"
                    + " guest-components' TPM evidence requires", handle));
        }
        return Optional.of(new Tpm.Key(handle, area));
    }

    /** The first EK certificate the TPM holds in TCG's NV indexes, if any. */
    private static Optional<Bytes> ekCertificate(Tpm tpm) {
        for (long index : Tpm2.EK_CERT_INDEXES) {
            Optional<Integer> size = tpm.nvSize(index);
            if (size.isPresent()) {
                return Optional.of(tpm.nvRead(index, size.get()));
            }
        }
        return Optional.empty();
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
        return InputRules.exactly(form.qualifyingData, false, false);
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        try (Tpm tpm = new Tpm(connect.get())) {
            tpm.startup();
            boolean ours = form == Form.GUESTATTEST;
            Optional<Tpm.Key> persistent = ours ? Optional.empty() : persistentAk(tpm);
            Tpm.Key ak = persistent.orElseGet(() -> tpm.createPrimary(Tpm2.RH_OWNER,
                    ours ? TpmPublic.eccAttestationKeyTemplate() : TpmPublic.rsaAttestationKeyTemplate()));
            try {
                PcrSelection selection = new PcrSelection(Tpm2.ALG_SHA256, pcrs);
                Tpm.Quoted q = tpm.quote(ak.handle(), request.inblob(), selection);
                Map<Integer, Bytes> values = tpm.pcrRead(selection);
                return ReportBlobs.of(new TpmEvidence(q.attest(), Bytes.of(q.signature().encode()), ak.publicArea().encoded(),
                        HashAlgorithm.SHA256, values, ours ? ekCertificate(tpm) : Optional.empty()).toJson());
            } finally {
                if (persistent.isEmpty()) {
                    tpm.flush(ak.handle());
                }
            }
        }
    }
}
