// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * The distribution's jar with every class file older than Java 6 (version 50) rewritten as Java 8
 * (52) with its stack map frames computed: JDK 17's CDS does not archive classes that old, and
 * picocli's jar is built for Java 5, so its ~300 classes were loaded, parsed and verified on every
 * start of the CLI (about 70 ms of a cold {@code verify}). The code is unchanged; ASM computes the
 * frames the split verifier needs. Run by the build: {@code ArchivableClasses IN.jar OUT.jar}.
 */
public final class ArchivableClasses {
    private static final int JAVA_6 = 50;

    private ArchivableClasses() {
    }

    public static void main(String[] args) throws IOException, ClassNotFoundException {
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        java.util.List<String> rewritten = new java.util.ArrayList<>();
        try (JarFile jar = new JarFile(in.toFile());
             URLClassLoader classes = new URLClassLoader(new URL[] {in.toUri().toURL()}, ArchivableClasses.class.getClassLoader());
             OutputStream file = Files.newOutputStream(out);
             JarOutputStream o = new JarOutputStream(file)) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                byte[] bytes;
                try (InputStream s = jar.getInputStream(entry)) {
                    bytes = s.readAllBytes();
                }
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/") && majorVersion(bytes) < JAVA_6) {
                    bytes = java8(bytes, classes);
                    rewritten.add(entry.getName().substring(0, entry.getName().length() - ".class".length()).replace('/', '.'));
                }
                JarEntry copy = new JarEntry(entry.getName());
                copy.setTime(entry.getTime());
                o.putNextEntry(copy);
                o.write(bytes);
                o.closeEntry();
            }
        }
        // every rewritten class loads, links and passes the split verifier, or the build fails here rather than a user's start
        try (URLClassLoader check = new URLClassLoader(new URL[] {out.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : rewritten) {
                Class.forName(name, true, check);
            }
        }
        System.out.println("ArchivableClasses: " + rewritten.size() + " class files rewritten as Java 8 and verified, in " + out);
    }

    private static int majorVersion(byte[] classFile) {
        return (classFile[6] & 0xff) << 8 | classFile[7] & 0xff;
    }

    private static byte[] java8(byte[] classFile, ClassLoader classes) {
        ClassReader reader = new ClassReader(classFile);
        // no reader given to the writer: with one, ASM copies unchanged methods as they are, frames missing
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            // frames need common supertypes: resolved against the jar itself, not the build's class path
            @Override
            protected ClassLoader getClassLoader() {
                return classes;
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }
}
