namespace LogAgent.Core.Config;

/// <summary>What an embedded <c>#{...}</c> expression produced.</summary>
public enum EmbeddedValueKind
{
    /// <summary>A value, rendered as Ruby's <c>to_s</c> would (nil renders as the empty string).</summary>
    Text,
    /// <summary><c>use_nil</c> was evaluated: fluentd sets the whole parameter to nil.</summary>
    UseNil,
    /// <summary><c>use_default</c> was evaluated: fluentd gives the parameter its plugin default.</summary>
    UseDefault,
}

/// <summary>The result of evaluating one <c>#{...}</c>.</summary>
public readonly record struct EmbeddedValue(EmbeddedValueKind Kind, string Text)
{
    public static EmbeddedValue Nil { get; } = new(EmbeddedValueKind.UseNil, "");
    public static EmbeddedValue Default { get; } = new(EmbeddedValueKind.UseDefault, "");
    public static EmbeddedValue Of(string text) => new(EmbeddedValueKind.Text, text);
}
