// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.broker.client.KbsClient;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.concurrent.BoundedCall;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.fscrypt.ProvisioningKeys;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyInfo;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.LogonKeys;
import dev.guestattest.keys.upcall.HandlerLog;
import dev.guestattest.keys.upcall.KeyCompletion;
import dev.guestattest.keys.upcall.UpcallMain;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * {@code guest-attest secret upcall}: what /sbin/request-key runs for a {@code logon} or
 * {@code fscrypt-provisioning} key (a 64-byte secret, wrapped for fscrypt v2) the secret rule of
 * {@code keys install --broker} covers, e.g. {@code keyctl request2 logon disk:root
 * kbs:///prod/disk/root @u}. It attests to the broker, and instantiates the key with the released
 * secret, which never passes through the caller, a file or a log. It serves only root and the uids
 * keys install --allow-uid named. Any failure rejects the key with an errno that says why: EACCES
 * a uid not served, EKEYREJECTED the broker refused, ENOKEY no such resource, ETIMEDOUT, EINVAL a
 * bad description or callout, EIO the broker could not be reached.
 */
final class SecretUpcallMain {
    static final String USAGE = """
            usage: guest-attest secret upcall --broker URL [--provider P] [--state-dir DIR] [--setting KEY=VALUE]...
                   [--timeout SECONDS] [--negative-timeout SECONDS] [--handler-log FILE] [--allow-uid UID]... [--expire SECONDS]
                   <op> <key> <callout> <session-keyring> <uid>
            The request-key handler for logon and fscrypt-provisioning keys whose callout is kbs:///REPO/TYPE/TAG
            (see guest-attest keys install --broker).""";
    static final int EKEYREJECTED = 129;

    private SecretUpcallMain() {
    }

    static void main(String[] args) {
        int code = run(args, System.err, KeyCompletion.kernel());
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    static int run(String[] args, PrintStream err, KeyCompletion kernel) {
        UpcallMain.Options o;
        try {
            o = UpcallMain.parse(args, Set.of("--broker", "--expire"));
        } catch (AttestationException e) {
            err.println("guest-attest secret upcall: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (o == null || !o.extra().containsKey("--broker")) {
            err.println(USAGE);
            return o == null ? 0 : 2;
        }
        HandlerLog log = o.log(err);
        Thread watchdog = UpcallMain.startWatchdog(o, kernel, log);
        int key = o.upcall().key();
        int ring = o.upcall().sessionKeyring();
        try {
            KeyInfo info = kernel.describe(key);
            Duration expiry = expiry(o);
            o.requesters().require(o.upcall().uid(), info); // before anything reaches the provider or the broker
            boolean fscrypt = info.type().equals(ProvisioningKeys.TYPE);
            if (!fscrypt && !(info.type().equals(LogonKeys.TYPE) && info.description().matches("[^:]+:.+"))) {
                throw AttestationException.invalid("key", info.type() + " '" + info.description()
                        + "' is neither a logon key <subclass>:<name> nor an fscrypt-provisioning key");
            }
            String path = SecretCommand.resourcePath(o.upcall().callout());
            String tee = SecretCommand.tee(o.provider(), o.context());
            KbsClient client = new KbsClient(URI.create(o.extra().get("--broker")), o.timeout());
            Secret secret;
            try {
                secret = BoundedCall.within("secret-upcall", o.timeout(), () -> client.get(tee, SecretCommand.attester(o.provider(),
                        o.context(), tee, java.util.Map.of()), path));
            } catch (TimeoutException e) {
                throw AttestationException.of(Reason.TIMEOUT, "the broker did not release " + path + " within " + o.timeout().toSeconds() + " s");
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof AttestationException ae ? ae
                        : AttestationException.of(Reason.IO_ERROR, "releasing " + path + " failed: " + e.getCause());
            }
            Secret payload = secret;
            try {
                payload = fscrypt ? ProvisioningKeys.payload(secret) : secret;
                payload.apply(b -> {
                    kernel.instantiateSecret(key, b, KeyPermissions.POSSESSOR_ONLY, expiry);
                    return null;
                });
            } finally {
                secret.destroy();
                payload.destroy();
            }
            log.info("key " + key + " (" + info.description() + "): instantiated with " + path + " from " + o.extra().get("--broker"));
            return 0;
        } catch (AttestationException e) {
            int errno = e.errno().orElseGet(() -> switch (e.reason()) { // an errno the failure carries (EACCES: uid not served) stands
                case PERMISSION_DENIED, REFUSED -> EKEYREJECTED;
                case KEY_NOT_FOUND -> Errno.ENOKEY;
                case TIMEOUT -> Errno.ETIMEDOUT;
                case INVALID_ARGUMENT, TOO_LARGE -> Errno.EINVAL;
                default -> Errno.EIO;
            });
            log.error("key " + key + ": rejected (errno " + errno + "): " + e.getMessage());
            kernel.reject(key, o.negativeTimeout(), errno, ring);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kernel.reject(key, o.negativeTimeout(), Errno.EINTR, ring);
            return 1;
        } finally {
            watchdog.interrupt();
        }
    }

    /** --expire SECONDS: the released key's lifetime in the kernel (default none). */
    private static Duration expiry(UpcallMain.Options o) {
        String text = o.extra().get("--expire");
        if (text == null) {
            return Duration.ZERO;
        }
        try {
            return KernelKeys.lifetime("--expire", Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw AttestationException.invalid("--expire", "'" + text + "' is not a number of seconds");
        }
    }
}
