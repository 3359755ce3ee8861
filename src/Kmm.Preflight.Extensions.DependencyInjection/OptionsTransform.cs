namespace Kmm.Preflight.Extensions.DependencyInjection;

/// <summary>One <c>Configure</c> call of <see cref="KmmPreflightBuilder"/>, kept in the container until the options are made.</summary>
internal sealed record OptionsTransform<TOptions>(Func<TOptions, IServiceProvider, TOptions> Apply);
