using Kmm.Preflight.Oci.Layers;

namespace Kmm.Preflight.Oci.Tests.Layers;

public sealed class ArrivingBytesTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public void AReaderWaitsForThePartItNeedsOnly()
    {
        var arriving = new ArrivingBytes(new byte[1000]);
        var waiting = Task.Run(() => arriving.WaitFor(300));
        Assert.That(waiting.Wait(50), Is.False, "nothing has arrived");

        arriving.Advance(200);
        Assert.That(waiting.Wait(50), Is.False, "not enough has arrived");
        arriving.Advance(400);
        Assert.That(waiting.Wait(Patience), Is.True);
        Assert.That(waiting.Result, Is.EqualTo(400));
        Assert.That(arriving.WaitFor(100), Is.EqualTo(400), "already there: no wait");
    }

    [Test]
    public void TheWholeArrivesOnceComplete()
    {
        var arriving = new ArrivingBytes(new byte[10]);
        var waiting = Task.Run(() => arriving.WaitFor(int.MaxValue));
        arriving.Complete();
        Assert.That(waiting.Wait(Patience), Is.True);
        Assert.That(waiting.Result, Is.EqualTo(10));
        Assert.That(ArrivingBytes.Whole([1, 2, 3]).WaitFor(3), Is.EqualTo(3));
    }

    [Test]
    public void AFailureStopsTheWaitersWithItsCause()
    {
        var arriving = new ArrivingBytes(new byte[1000]);
        arriving.Advance(100);
        var waiting = Task.Run(() => arriving.WaitFor(500));
        arriving.Fail(new IOException("reset by peer"));

        var stopped = Assert.Throws<AggregateException>(() => waiting.Wait(Patience))!.InnerException;
        Assert.That(stopped, Is.TypeOf<ArrivalStoppedException>());
        Assert.That(stopped!.Message, Does.Contain("after 100 of 1000 bytes").And.Contain("reset by peer"));
        Assert.That(stopped.InnerException, Is.TypeOf<IOException>());
        Assert.That(arriving.WaitFor(50), Is.EqualTo(100), "what had arrived is still readable");
    }

    [Test]
    public void ACancelledWaitEnds()
    {
        var arriving = new ArrivingBytes(new byte[1000]);
        using var cancel = new CancellationTokenSource();
        var waiting = Task.Run(() => arriving.WaitFor(500, cancel.Token));
        Assert.That(waiting.Wait(50), Is.False);
        cancel.Cancel();
        Assert.That(() => waiting.Wait(Patience), Throws.TypeOf<AggregateException>().With.InnerException.InstanceOf<OperationCanceledException>());
    }
}
