import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseTable } from '../../src/nixpkgs/table.js';
import { ATTR_PATH_RE } from '../../src/nixpkgs/attrs.js';
import { renderEmbedded } from '../../src/nixpkgs/generate.js';
import { embeddedIndex, EMBEDDED_PATH } from '../../src/nixpkgs/embedded.js';
import { classifySoname } from '../../src/nixpkgs/classify.js';
import { NIXOS_GLIBC_SONAMES } from '../../src/loader/nixos-glibc.js';
import { isDriverSoname } from '../../src/nixpkgs/driver.js';

const TSV = readFileSync(resolve(__dirname, '../../src/nixpkgs/data/sonames.tsv'), 'utf8');
const entries = parseTable(TSV);
const pick = (s: string): string | undefined => embeddedIndex().get(s)?.attr;

describe('embedded soname index', () => {
  it('data/sonames.json is generated from the current table', () => {
    expect(readFileSync(EMBEDDED_PATH, 'utf8')).toBe(renderEmbedded(TSV));
  });

  it('covers at least 400 sonames, each once, with valid attribute paths', () => {
    expect(entries.length).toBeGreaterThanOrEqual(400);
    expect(new Set(entries.map((e) => e.soname)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.attr, e.soname).toMatch(ATTR_PATH_RE);
      for (const a of e.alternatives) expect(a, e.soname).toMatch(ATTR_PATH_RE);
      expect(e.alternatives, e.soname).not.toContain(e.attr);
      expect(e.path.endsWith(e.soname), e.soname).toBe(true);
      expect(e.path.startsWith('/'), e.soname).toBe(false);
      // The index never points at glibc or driver sonames: those have their own categories.
      expect(NIXOS_GLIBC_SONAMES.has(e.soname), e.soname).toBe(false);
      expect(isDriverSoname(e.soname), e.soname).toBe(false);
      expect(e.attr, e.soname).not.toMatch(/nvidia_x11|xorg\.|^pkgs\./);
    }
  });

  it('rejects malformed tables', () => {
    expect(() => parseTable('libz.so.1\tzlib\tout\t-\t-\nlibz.so.1\tzlib\tout\t-\t-\n')).toThrow(/duplicate/);
    expect(() => parseTable('libz.so.1\tz lib\tout\t-\t-\n')).toThrow(/bad attribute/);
    expect(() => parseTable('libz.so.1\tzlib\tout\n')).toThrow(/columns/);
    expect(() => parseTable('notalib\tzlib\tout\t-\t-\n')).toThrow(/bad soname/);
  });

  // One representative per area the issue lists; a missing area fails here by name.
  const areas: Record<string, string[]> = {
    'manylinux allowlist': ['libX11.so.6', 'libXext.so.6', 'libXrender.so.1', 'libICE.so.6', 'libSM.so.6', 'libGL.so.1', 'libgobject-2.0.so.0', 'libgthread-2.0.so.0', 'libglib-2.0.so.0', 'libstdc++.so.6', 'libz.so.1', 'libexpat.so.1', 'libncursesw.so.5', 'libpanelw.so.5', 'libcrypt.so.1'],
    'GL/EGL/Vulkan': ['libEGL.so.1', 'libGLX.so.0', 'libOpenGL.so.0', 'libGLESv2.so.2', 'libGLU.so.1', 'libglut.so.3', 'libvulkan.so.1', 'libOpenCL.so.1'],
    X11: ['libXi.so.6', 'libXrandr.so.2', 'libXcursor.so.1', 'libXinerama.so.1', 'libXfixes.so.3', 'libXdamage.so.1', 'libXcomposite.so.1', 'libXtst.so.6', 'libXss.so.1', 'libX11-xcb.so.1'],
    xcb: ['libxcb.so.1', 'libxcb-shm.so.0', 'libxcb-render.so.0', 'libxcb-xkb.so.1', 'libxcb-icccm.so.4', 'libxcb-image.so.0', 'libxcb-keysyms.so.1', 'libxcb-render-util.so.0', 'libxcb-util.so.1', 'libxcb-cursor.so.0', 'libxcb-randr.so.0', 'libxcb-xinerama.so.0'],
    wayland: ['libwayland-client.so.0', 'libwayland-egl.so.1', 'libwayland-cursor.so.0', 'libxkbcommon.so.0', 'libxkbcommon-x11.so.0'],
    gtk: ['libgtk-3.so.0', 'libgdk-3.so.0', 'libpango-1.0.so.0', 'libpangocairo-1.0.so.0', 'libcairo.so.2', 'libatk-1.0.so.0', 'libatk-bridge-2.0.so.0', 'libatspi.so.0', 'libgdk_pixbuf-2.0.so.0', 'libgio-2.0.so.0'],
    fonts: ['libfontconfig.so.1', 'libfreetype.so.6', 'libharfbuzz.so.0'],
    audio: ['libasound.so.2', 'libpulse.so.0', 'libjack.so.0', 'libportaudio.so.2', 'libsndfile.so.1', 'libopenal.so.1', 'libSDL2-2.0.so.0'],
    ffmpeg: ['libavcodec.so.61', 'libavformat.so.61', 'libavutil.so.59', 'libswscale.so.8', 'libswresample.so.5', 'libavcodec.so.60', 'libavcodec.so.58'],
    images: ['libjpeg.so.62', 'libjpeg.so.8', 'libpng16.so.16', 'libtiff.so.6', 'libwebp.so.7', 'libopenjp2.so.7', 'liblcms2.so.2', 'libimagequant.so.0', 'libraqm.so.0'],
    compression: ['libz.so.1', 'libbz2.so.1.0', 'liblzma.so.5', 'libzstd.so.1', 'liblz4.so.1', 'libbrotlidec.so.1'],
    crypto: ['libssl.so.3', 'libcrypto.so.3', 'libssl.so.1.1', 'libcrypto.so.1.1', 'libcurl.so.4', 'libssh.so.4', 'libssh2.so.1', 'libnss3.so', 'libnspr4.so', 'libkrb5.so.3', 'libgssapi_krb5.so.2', 'libsasl2.so.3', 'libsodium.so.26', 'libzmq.so.5'],
    databases: ['libpq.so.5', 'libmysqlclient.so.21', 'libodbc.so.2', 'libsqlite3.so.0'],
    science: ['libblas.so.3', 'liblapack.so.3', 'libopenblas.so.0', 'libgfortran.so.5', 'libquadmath.so.0', 'libgomp.so.1', 'libatomic.so.1', 'libhdf5.so.310', 'libnetcdf.so.22', 'libgeos_c.so.1', 'libproj.so.25', 'libgdal.so.37', 'libspatialindex.so.7', 'libtbb.so.12'],
    cuda: ['libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcudnn.so.9', 'libcufft.so.11', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.12', 'libnvrtc.so.12', 'libnvJitLink.so.12', 'libnccl.so.2', 'libcupti.so.12', 'libnvToolsExt.so.1'],
    browser: ['libnss3.so', 'libatk-1.0.so.0', 'libcups.so.2', 'libdrm.so.2', 'libgbm.so.1', 'libxshmfence.so.1', 'libasound.so.2', 'libxkbcommon.so.0', 'libdbus-1.so.3'],
    misc: ['libffi.so.8', 'libexpat.so.1', 'libxml2.so.2', 'libxml2.so.16', 'libxslt.so.1', 'libyaml-0.so.2', 'libuuid.so.1', 'libudev.so.1', 'libsystemd.so.0', 'libncursesw.so.6', 'libtinfo.so.6', 'libtinfo.so.5', 'libreadline.so.8', 'libgmp.so.10', 'libmagic.so.1', 'libusb-1.0.so.0', 'libcrypt.so.1'],
  };
  for (const [area, sonames] of Object.entries(areas)) {
    it(`covers ${area}`, () => {
      const missing = sonames.filter((s) => !embeddedIndex().has(s));
      expect(missing).toEqual([]);
      for (const s of sonames) expect(classifySoname(s, { venvProviders: [] }), s).toBe('package');
    });
  }

  it('knows the traps', () => {
    expect(pick('libstdc++.so.6')).toBe('stdenv.cc.cc.lib');
    expect(pick('libgomp.so.1')).toBe('stdenv.cc.cc.lib');
    expect(embeddedIndex().get('libstdc++.so.6')!.alternatives).toContain('gcc-unwrapped.lib');
    expect(embeddedIndex().get('libstdc++.so.6')!.output).toBe('lib');
    expect(pick('libX11.so.6')).toBe('libx11');
    expect(embeddedIndex().get('libX11.so.6')!.alternatives).toContain('xorg.libX11');
    expect(pick('libXss.so.1')).toBe('libxscrnsaver');
    expect(embeddedIndex().get('libXss.so.1')!.alternatives).toContain('xorg.libXScrnSaver');
    expect(pick('libxcb-icccm.so.4')).toBe('libxcb-wm');
    expect(pick('libGL.so.1')).toBe('libGL');
    expect(embeddedIndex().get('libGL.so.1')!.alternatives).toContain('libglvnd');
    expect(pick('libglut.so.3')).toBe('libglut');
    expect(embeddedIndex().get('libglut.so.3')!.alternatives).toContain('freeglut');
    expect(pick('libmagic.so.1')).toBe('file');
    expect(pick('libcrypt.so.1')).toBe('libxcrypt');
    expect(pick('libssl.so.1.1')).toBe('openssl_1_1');
    expect(pick('libssl.so.3')).toBe('openssl');
    expect(pick('libjpeg.so.62')).toBe('libjpeg');
    expect(pick('libjpeg.so.8')).toBe('libjpeg8');
    expect(pick('libxml2.so.16')).toBe('libxml2');
    expect(pick('libxml2.so.2')).toBe('libxml2_13');
    expect(pick('libtinfo.so.5')).toBe('ncurses5');
    expect(pick('libtinfo.so.6')).toBe('ncurses');
    expect(pick('libgfortran.so.5')).toBe('gfortran.cc.lib');
    expect(pick('libasound.so.2')).toBe('alsa-lib');
    expect(pick('libcudart.so.12')).toBe('cudaPackages.cuda_cudart');
    expect(pick('libavcodec.so.61')).toBe('ffmpeg_7');
    expect(pick('libavcodec.so.62')).toBe('ffmpeg_8');
    expect(embeddedIndex().get('libavcodec.so.61')!.output).toBe('lib');
    expect(pick('libpq.so.5')).toBe('libpq');
  });
});

describe('classifySoname', () => {
  const ctx = { venvProviders: [] as string[] };
  it('glibc before anything else', () => {
    for (const s of ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libgcc_s.so.1', 'ld-linux-x86-64.so.2']) {
      expect(classifySoname(s, ctx), s).toBe('glibc');
      expect(classifySoname(s, { venvProviders: ['x/libc.so.6'] }), s).toBe('glibc');
    }
  });
  it('driver libraries, even when a wheel bundles a copy', () => {
    for (const s of ['libcuda.so.1', 'libnvidia-ml.so.1', 'libnvidia-ptxjitcompiler.so.1', 'libnvcuvid.so.1', 'libnvidia-encode.so.1', 'libGLX_nvidia.so.0', 'libEGL_nvidia.so.0', 'libGLX_mesa.so.0', 'libEGL_mesa.so.0', 'libcuda.so']) {
      expect(classifySoname(s, ctx), s).toBe('driver');
      expect(classifySoname(s, { venvProviders: ['nvidia/lib/x'] }), s).toBe('driver');
    }
    // vendor-neutral GL/CUDA runtime libraries are packages, not driver
    for (const s of ['libGL.so.1', 'libEGL.so.1', 'libcudart.so.12', 'libvulkan.so.1']) expect(classifySoname(s, ctx), s).toBe('package');
  });
  it('venv when shipped elsewhere in the venv, unknown when nobody knows it', () => {
    expect(classifySoname('libcublas.so.12', { venvProviders: ['lib/python3.12/site-packages/nvidia/cublas/lib/libcublas.so.12'] })).toBe('venv');
    expect(classifySoname('libsomethingodd.so.3', ctx)).toBe('unknown');
  });
});
