namespace LogAgent.Core.Forward;

/// <summary>What a <see cref="ForwardConnection"/> hands each decoded request to (the forward input).</summary>
public interface IForwardRequestHandler
{
    /// <summary>
    /// Accepts the request's events. True when they were accepted, i.e. handed to every destination: only then is an
    /// ack sent for a request that asked for one. False (or a throw) means the sender gets no ack and will resend.
    /// </summary>
    bool Handle(ForwardRequest request, ForwardPeer peer);
}
