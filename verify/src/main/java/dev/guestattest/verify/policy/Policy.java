package dev.guestattest.verify.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An appraisal policy, loaded from JSON and checked whole at load time, so a typo fails there with
 * its line and field, never during an appraisal:
 * <pre>
 * {"id": "web-frontend", "tees": ["tdx", "snp"], "allow_debug": false,
 *  "accepted_tcb_status": ["UpToDate"],
 *  "reference_values": {"initial_measurement": ["91eb..."], "runtime_registers": {"rtmr0": ["..."]}}}
 * </pre>
 * Reference values are any-of lists; a policy may reference registers alone (a TPM has no initial
 * measurement). Without any reference values no executable is approved (the appraisal warns). {@code accepted_tcb_status} lists the vendor TCB statuses that
 * count as up to date; any other is a warning (absent: UpToDate only).
 */
public record Policy(String id, Bytes sha256, Set<String> tees, boolean allowDebug, Set<String> acceptedTcbStatus,
                     Set<Bytes> initialMeasurements, Map<String, Set<Bytes>> runtimeRegisters) {
    public static final int MAX_SIZE = 1 << 20;
    /** The TCB statuses vendors report (Intel's names; Revoked never passes verification). */
    public static final Set<String> TCB_STATUSES = Set.of("UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
            "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "TDRelaunchAdvised",
            "TDRelaunchAdvisedConfigurationNeeded", "TcbNotSupported");

    public Policy {
        tees = Set.copyOf(tees);
        acceptedTcbStatus = Set.copyOf(acceptedTcbStatus);
        initialMeasurements = Set.copyOf(initialMeasurements);
        Map<String, Set<Bytes>> r = new HashMap<>();
        runtimeRegisters.forEach((k, v) -> r.put(k, Set.copyOf(v)));
        runtimeRegisters = Map.copyOf(r);
    }

    /** The file's shape; snake_case names, unknown fields refused. */
    private record File(String id, List<String> tees, Boolean allowDebug, List<String> acceptedTcbStatus, ReferenceValues referenceValues) {
    }

    private record ReferenceValues(List<String> initialMeasurement, Map<String, List<String>> runtimeRegisters) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public static Policy parse(byte[] json) {
        if (json.length > MAX_SIZE) {
            throw AttestationException.tooLarge("policy", json.length, MAX_SIZE);
        }
        File f;
        try {
            f = JSON.readValue(json, File.class);
        } catch (UnrecognizedPropertyException e) {
            throw AttestationException.invalid("policy", "line " + e.getLocation().getLineNr() + ": unknown field '" + e.getPropertyName()
                    + "' (known: " + e.getKnownPropertyIds() + ")");
        } catch (JsonMappingException e) {
            throw AttestationException.invalid("policy", "line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": field '"
                    + path(e) + "': " + e.getOriginalMessage().split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw AttestationException.invalid("policy", "line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": not JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw AttestationException.invalid("policy", "cannot be read: " + e.getMessage());
        }
        if (f == null || f.id() == null || f.id().isBlank()) {
            throw AttestationException.invalid("policy: id", "is required");
        }
        if (f.tees() == null || f.tees().isEmpty()) {
            throw AttestationException.invalid("policy: tees", "name at least one accepted TEE (tdx, snp, cca, ...)");
        }
        if (f.acceptedTcbStatus() != null) {
            for (String status : f.acceptedTcbStatus()) {
                if (!TCB_STATUSES.contains(status)) {
                    throw AttestationException.invalid("policy: accepted_tcb_status", "'" + status + "' is not a TCB status " + TCB_STATUSES);
                }
            }
        }
        Set<Bytes> initial = new HashSet<>();
        Map<String, Set<Bytes>> registers = new HashMap<>();
        if (f.referenceValues() != null) {
            Optional.ofNullable(f.referenceValues().initialMeasurement()).orElse(List.of())
                    .forEach(h -> initial.add(Bytes.fromHex("policy: reference_values.initial_measurement", h)));
            Optional.ofNullable(f.referenceValues().runtimeRegisters()).orElse(Map.of()).forEach((name, values) -> {
                Set<Bytes> s = new HashSet<>();
                if (values == null || values.isEmpty()) {
                    throw AttestationException.invalid("policy: reference_values.runtime_registers." + name, "lists no value");
                }
                values.forEach(h -> s.add(Bytes.fromHex("policy: reference_values.runtime_registers." + name, h)));
                registers.put(name, s);
            });
        }
        return new Policy(f.id(), sha256(json), Set.copyOf(f.tees()), Boolean.TRUE.equals(f.allowDebug()),
                f.acceptedTcbStatus() == null ? Set.of("UpToDate") : Set.copyOf(f.acceptedTcbStatus()), initial, registers);
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return b.toString();
    }

    private static Bytes sha256(byte[] data) {
        try {
            return Bytes.of(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
