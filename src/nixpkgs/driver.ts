/**
 * GPU driver libraries. On NixOS these come from the running kernel's driver, exposed at
 * /run/opengl-driver/lib (nixpkgs: `addDriverRunpath.driverLink`); taking them from a package
 * (e.g. pinning `linuxPackages.nvidia_x11`) mismatches the kernel module and breaks on update.
 */
const DRIVER_SONAMES: ReadonlySet<string> = new Set([
  'libcuda.so',
  'libcuda.so.1',
  'libcudadebugger.so.1',
  'libnvcuvid.so',
  'libnvcuvid.so.1',
  'libnvoptix.so.1',
  'libGLX_nvidia.so.0',
  'libEGL_nvidia.so.0',
  'libGLESv2_nvidia.so.2',
  'libGLESv1_CM_nvidia.so.1',
  'libvdpau_nvidia.so',
  'libvdpau_nvidia.so.1',
  'libGLX_mesa.so.0',
  'libEGL_mesa.so.0',
]);

/** Families whose every member is driver-provided: NVIDIA's `libnvidia-*` and mesa vendor libs. */
const DRIVER_PATTERNS: readonly RegExp[] = [
  /^libnvidia-[A-Za-z0-9_-]+\.so(\.|$)/, // libnvidia-ml, -ptxjitcompiler, -encode, -opticalflow, -glcore, ...
  /^lib[A-Za-z0-9]+_nvidia\.so(\.|$)/, // libGLX_nvidia, libEGL_nvidia, libvdpau_nvidia, ...
  /^lib[A-Za-z0-9]+_mesa\.so(\.|$)/, // libGLX_mesa, libEGL_mesa (glvnd vendor libraries)
  /^libcuda\.so(\.|$)/,
  /^libnvcuvid\.so(\.|$)/,
];

export function isDriverSoname(soname: string): boolean {
  return DRIVER_SONAMES.has(soname) || DRIVER_PATTERNS.some((re) => re.test(soname));
}
