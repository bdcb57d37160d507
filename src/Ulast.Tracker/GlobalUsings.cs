global using Ulast.Kernels;
global using Ulast.Autograd;
global using Device = Ulast.Kernels.Device;
