global using Ulast.Kernels;
global using Device = Ulast.Kernels.Device;
