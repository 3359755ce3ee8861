namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>Registered by <see cref="KmmPreflightBuilder.UseHttpClientFactory"/>: the registry options take their handler from IHttpClientFactory.</summary>
internal sealed class RegistryHttpClientFactoryUse;
